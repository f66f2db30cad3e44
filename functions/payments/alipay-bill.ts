/**
 * Alipay's daily trade bill (bill_type 'trade'), read into BillRow: the zip that the
 * bill_download_url of `alipay.data.dataservice.bill.downloadurl.query` gives. It holds GBK-encoded
 * CSVs: `<pid>_<yyyyMMdd>_业务明细.csv` (the rows) and `_业务明细(汇总).csv` (totals per store).
 * The rows file opens with `#` comment lines, has a header and one row per payment (业务类型 交易) or
 * refund (退款), then `#-----业务明细列表结束-----` and summary lines (`#交易合计：N笔，…`); fields
 * come padded with tabs. The entry names are GBK too, without the zip's UTF-8 flag, so files are
 * told apart by their first line, not by name. The fake platform writes the same format with these constants.
 */
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { billFen, billTime, BillUnreadable, type BillRow } from './channel';

export const ALIPAY_BILL_DETAIL_TITLE = '#支付宝业务明细查询';
export const ALIPAY_BILL_SUMMARY_TITLE = '#支付宝业务汇总查询';
export const ALIPAY_BILL_DETAIL_HEADER = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号', '对方账户',
  '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
] as const;

/** Refund rows carry negative amounts ("-50.00"); the row's kind says which way the money went. */
function unsignedFen(text: string, what: string): number {
  return billFen(text.replace(/^-/, ''), what);
}

/** The rows file of a bill zip, decoded from GBK. */
export function alipayBillDetailText(zip: Uint8Array): string {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    throw new BillUnreadable(`not a zip: ${error instanceof Error ? error.message : String(error)}`);
  }
  const texts = Object.values(entries).map((bytes) => iconv.decode(Buffer.from(bytes), 'gbk'));
  const details = texts.filter((text) => text.replace(/^\uFEFF/, '').startsWith(ALIPAY_BILL_DETAIL_TITLE));
  if (details.length !== 1) throw new BillUnreadable(`the zip has ${details.length} 业务明细 files, not one`);
  return details[0]!;
}

/**
 * The rows of a bill zip, checked against the file's own summary lines (交易合计 N 笔, 退款合计 M 笔):
 * a file cut short is refused, not read as a day with fewer payments.
 */
export function parseAlipayTradeBill(zip: Uint8Array): BillRow[] {
  const lines = alipayBillDetailText(zip).split(/\r?\n/);
  const comments = lines.filter((line) => line.startsWith('#'));
  if (!comments.some((line) => line.includes('业务明细列表结束'))) throw new BillUnreadable('no end-of-list line: the file is incomplete');
  const count = (label: string): number => {
    const match = new RegExp(`^#${label}：(\\d+)笔`).exec(comments.find((line) => line.startsWith(`#${label}`)) ?? '');
    if (!match) throw new BillUnreadable(`no ${label} line`);
    return Number(match[1]);
  };
  let records: string[][];
  try {
    records = parse(lines.filter((line) => !line.startsWith('#') && line.trim() !== '').join('\n'), { relax_column_count: true, trim: true }) as string[][];
  } catch (error) {
    throw new BillUnreadable(`not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...body] = records;
  if (!header || header[0] !== ALIPAY_BILL_DETAIL_HEADER[0]) throw new BillUnreadable('no detail header');
  const column = new Map(header.map((name, index) => [name, index]));
  for (const name of ['支付宝交易号', '商户订单号', '业务类型', '完成时间', '订单金额（元）'] as const) {
    if (!column.has(name)) throw new BillUnreadable(`the detail header has no ${name}`);
  }
  const get = (record: string[], name: string) => (record[column.get(name) ?? -1] ?? '').trim();
  const rows: BillRow[] = body.map((record) => {
    const type = get(record, '业务类型');
    const base = {
      channel: 'alipay' as const,
      platformTxnId: get(record, '支付宝交易号'),
      outTradeNo: get(record, '商户订单号'),
      at: billTime(get(record, '完成时间')),
      amountFen: unsignedFen(get(record, '订单金额（元）'), '订单金额'),
      ...(get(record, '商品名称') ? { description: get(record, '商品名称') } : {}),
    };
    if (!base.platformTxnId || !base.outTradeNo) throw new BillUnreadable('a row without 支付宝交易号 or 商户订单号');
    if (type === '交易') return { ...base, kind: 'payment' };
    if (type === '退款') return { ...base, kind: 'refund', refundId: get(record, '退款批次号/请求号') };
    throw new BillUnreadable(`unknown 业务类型 ${type}`);
  });
  const payments = rows.filter((row) => row.kind === 'payment').length;
  if (payments !== count('交易合计') || rows.length - payments !== count('退款合计')) {
    throw new BillUnreadable(`the summary counts ${count('交易合计')} payments and ${count('退款合计')} refunds, the file has ${payments} and ${rows.length - payments}`);
  }
  return rows;
}
