/**
 * WeChat Pay's daily trade bill (交易账单, bill_type ALL), read into BillRow: the file the download
 * URL of `GET /v3/bill/tradebill` gives. Four parts, comma-separated: the detail header, one row per
 * payment (交易状态 SUCCESS, in the bill of its success time) or refund (REFUND, in the bill of its
 * acceptance), the summary header, the summary row. Every detail and summary field starts with a
 * backquote (so spreadsheets keep long numbers as text); headers do not. The fake platform writes
 * the same format with these constants.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { billFen, billTime, BillUnreadable, type BillRow } from './channel';

export const WECHAT_BILL_DETAIL_HEADER = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态',
  '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态',
  '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
] as const;

export const WECHAT_BILL_SUMMARY_HEADER = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const;

/** The bill file's SHA1 (hex, lower case): `hash_value` of the tradebill answer, which the SDK never checks. */
export function wechatBillHash(file: Uint8Array): string {
  return createHash('sha1').update(file).digest('hex');
}

/** The field without WeChat's leading backquote. */
function unquote(field: string | undefined): string {
  const value = (field ?? '').trim();
  return value.startsWith('`') ? value.slice(1) : value;
}

/**
 * The rows of a trade bill, checked against its own summary (a file cut short is refused, not read
 * as a day with fewer payments). REVOKED rows (a cancelled code payment) moved no money and are left out.
 */
export function parseWechatTradeBill(file: Uint8Array): BillRow[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(file).replace(/^\uFEFF/, '');
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new BillUnreadable(`not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...rest] = records;
  if (!header || header[0]?.trim() !== WECHAT_BILL_DETAIL_HEADER[0]) throw new BillUnreadable('no detail header');
  const column = new Map(header.map((name, index) => [name.trim(), index]));
  for (const name of ['交易时间', '微信订单号', '商户订单号', '交易状态', '订单金额'] as const) {
    if (!column.has(name)) throw new BillUnreadable(`the detail header has no ${name}`);
  }
  const summaryAt = rest.findIndex((record) => record[0]?.trim() === WECHAT_BILL_SUMMARY_HEADER[0]);
  if (summaryAt < 0 || !rest[summaryAt + 1]) throw new BillUnreadable('no summary: the file is incomplete');
  const details = rest.slice(0, summaryAt);
  const summary = rest[summaryAt + 1]!;
  if (Number(unquote(summary[0])) !== details.length) throw new BillUnreadable(`the summary counts ${unquote(summary[0])} rows, the file has ${details.length}`);

  const get = (record: string[], name: string) => unquote(record[column.get(name) ?? -1]);
  const rows: BillRow[] = [];
  for (const record of details) {
    const state = get(record, '交易状态');
    const base = {
      channel: 'wechat' as const,
      platformTxnId: get(record, '微信订单号'),
      outTradeNo: get(record, '商户订单号'),
      at: billTime(get(record, '交易时间')),
      ...(get(record, '商品名称') ? { description: get(record, '商品名称') } : {}),
    };
    if (!base.platformTxnId || !base.outTradeNo) throw new BillUnreadable('a row without 微信订单号 or 商户订单号');
    if (state === 'SUCCESS') rows.push({ ...base, kind: 'payment', amountFen: billFen(get(record, '订单金额'), '订单金额') });
    else if (state === 'REFUND') {
      const requested = get(record, '申请退款金额') || get(record, '退款金额');
      rows.push({ ...base, kind: 'refund', amountFen: billFen(requested, '申请退款金额'), refundId: get(record, '商户退款单号') });
    } else if (state !== 'REVOKED') throw new BillUnreadable(`unknown 交易状态 ${state}`);
  }
  return rows;
}
