/**
 * A fake Alipay open platform gateway on 127.0.0.1, with real RSA2 on both sides, for tests and the
 * local demo. Keys, app id and merchant PID are made per run. Like Alipay it refuses requests our
 * app key did not sign, signs every answer with "Alipay's" key, and posts signed notifications to
 * the order's notify_url when an order is paid (pay(), or POST /__fake/pay/{out_trade_no}).
 * Mini-program template messages (alipay.open.app.mini.templatemessage.send) are recorded, and
 * refused for a user it is told has not subscribed.
 */
import { createSign, createVerify, generateKeyPair, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { formatYuan, parseYuan } from '../../shared/money';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { formatBeijingTime, type AlipayConfig } from '../payments/alipay';
import { ALIPAY_BILL_DETAIL_HEADER, ALIPAY_BILL_DETAIL_TITLE, ALIPAY_BILL_SUMMARY_TITLE } from '../payments/alipay-bill';
import { applyBillTamper, type FakeBillLine, type FakeBillTamper } from './fake-bills';
import { OUTBOX_EVENT_KINDS, type OutboxEventKind } from '../domain/outbox';

export interface FakeAlipay {
  /** http://127.0.0.1:{port}/gateway.do */
  gatewayUrl: string;
  /** What our channel needs to talk to this fake (made for this run). */
  config: AlipayConfig;
  /**
   * The buyer pays: the order becomes TRADE_SUCCESS and its notification is posted to its notify_url.
   * Paying a paid order posts the notification again (same notify_id), as Alipay's retries do.
   * Returns the HTTP status of our answer; its body is in `notifications`. `amountFen` makes Alipay
   * take another amount than ordered (a platform that disagrees with us, for tests); `notify: false`
   * takes the payment but its notification never reaches us (resolves to 0).
   */
  pay(outTradeNo: string, options?: { amountFen?: number; notify?: boolean }): Promise<number>;
  /**
   * Storms: posts the order's payment notification again (same notify_id, as Alipay's retries), or
   * one telling of `tradeStatus` (TRADE_FINISHED after the payment; TRADE_CLOSED, with the refund's
   * fields if it was paid) under a notify_id of its own; every answer in order (also in `notifications`).
   */
  renotify(outTradeNo: string, options?: AlipayRenotifyOptions): Promise<{ status: number; body: string; ms: number }[]>;
  /** Spoils the trade bills served from now on (undefined: true bills again); `downloadUrl` answers that URL instead. */
  tamperBills(tamper: (FakeBillTamper & { downloadUrl?: string }) | undefined): void;
  /** How many bill download URLs were asked for. */
  billRequests(): number;
  /** Every refund it made (one per out_request_no), oldest first. */
  refunds(): FakeAlipayRefund[];
  /** While down, every gateway call is answered 20000 isp.unknow-error (signed), as during an outage. */
  setDown(down: boolean): void;
  /** How the payer behind this payment code will act (default: pays at once). */
  codeBehaviour(authCode: string, behaviour: FakeAlipayCodeBehaviour): void;
  /** A copy of every face-to-face (bar_code) trade, oldest first. */
  codeTrades(): FakeAlipayCodeTrade[];
  /** A form-urlencoded notification body with these fields, signed with Alipay's key (sign_type RSA2 unless given). */
  signNotification(fields: Record<string, string>): string;
  /** Answers are signed with this private key instead of Alipay's (undefined: Alipay's again), to test validateSign. */
  signAnswersWith(privateKeyPem: string | undefined): void;
  /** What my.getAuthCode gives the mini-program for this Alipay user: a one-time code for alipay.system.oauth.token. */
  issueAuthCode(userId: string): string;
  /** The mini-program message template ids this fake app has, by kind (NOTIFICATION_TEMPLATES.alipay). */
  templateIds: Record<OutboxEventKind, string>;
  /** Every template message it accepted (alipay.open.app.mini.templatemessage.send), oldest first. */
  readonly templateMessages: ReadonlyArray<{ toUserId: string; userTemplateId: string; page: string; data: Record<string, { value: string }> }>;
  /** From now on, messages to this user are refused (40004, the user has not subscribed). */
  refuseTemplateMessages(userId: string): void;
  /** Every request whose signature verified, in order: all its parameters (URL and form) as received. */
  readonly requests: ReadonlyArray<Record<string, string>>;
  /** Every notification posted and what our server answered. */
  readonly notifications: ReadonlyArray<{ outTradeNo: string; body: string; answerStatus: number; answerBody: string }>;
  /**
   * 商户代扣: the holder confirms on the signing page (the agreement becomes NORMAL) and dut_user_sign is
   * posted to the notify_url its page.sign request gave (`notifyUrl` stands in for a page never opened, as
   * the local demo's button does). Signing again redelivers the same notice (same notify_id). `notify: false`
   * signs without telling us (resolves to 0). Returns the HTTP status of our answer.
   */
  signAgreement(externalAgreementNo: string, options?: { userId?: string; notify?: boolean; notifyUrl?: string }): Promise<number>;
  /** The holder ends the agreement in Alipay: UNSIGN, and dut_user_unsign posted to its notify_url. */
  unsignAgreement(externalAgreementNo: string): Promise<number>;
  /** How the next withholding deductions go: paid at once (and notified), refused (ACQ.BUYER_BALANCE_NOT_ENOUGH), or taken but not paid yet (10003). */
  deductBehaviour(behaviour: 'pay' | 'refuse' | 'hold'): void;
  /** alipay.trade.pay GENERAL_WITHHOLDING calls so far. */
  deductCalls(): number;
  /** A copy of every agreement (opened signing pages and signed ones). */
  agreements(): FakeAlipayAgreement[];
  /** Every agreement notification posted and what our server answered. */
  readonly agreementNotifications: ReadonlyArray<{ externalAgreementNo: string; body: string; answerStatus: number; answerBody: string }>;
  close(): Promise<void>;
}

/** A 商户代扣 agreement: its signing page opened (TEMP), signed (NORMAL) or ended (UNSIGN). */
export interface FakeAlipayAgreement {
  externalAgreementNo: string;
  personalProductCode: string;
  signScene: string;
  notifyUrl: string | undefined;
  externalLogonId?: string;
  status: 'TEMP' | 'NORMAL' | 'UNSIGN';
  agreementNo?: string;
  alipayUserId?: string;
  signTime?: string;
  unsignTime?: string;
  /** One notify_id per kind of notice: a redelivery keeps its id. */
  notifyIds: { sign?: string; unsign?: string };
}

/** How renotify delivers: `times` deliveries (default 1), all at once, or one after another `delayMs` apart. */
export interface AlipayRenotifyOptions {
  times?: number;
  delayMs?: number;
  /** Alipay's clock for notify_time (a test that moved our clock moves Alipay's with it); default now. */
  at?: Date;
  tradeStatus?: 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';
}

/**
 * What the payer does with a payment code the fake is shown: pay at once; be refused (default
 * ACQ.BUYER_BALANCE_NOT_ENOUGH); type a password and be paid after `paidAfterQueries` queries (never,
 * if undefined: the merchant cancels it); or pay at once with the answers of the first
 * `answersLost` pay calls lost on their way (default 2: alipay-sdk's HTTP client, urllib, sends a
 * request once more by itself after a socket error, so one lost call is two lost answers).
 */
export type FakeAlipayCodeBehaviour = { kind: 'paid' } | { kind: 'refused'; subCode?: string } | { kind: 'password'; paidAfterQueries?: number } | { kind: 'lost'; answersLost?: number };

/** An alipay.trade.pay (bar_code) trade as the fake holds it. */
export interface FakeAlipayCodeTrade {
  outTradeNo: string;
  tradeNo: string;
  authCode: string;
  totalAmount: string;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  /** alipay.trade.pay calls for it (a repeat charges nothing). */
  payCalls: number;
  queries: number;
  cancelled: boolean;
  /** 'refund': it had been paid when it was cancelled, and the money went back. */
  cancelAction?: 'close' | 'refund';
  /** Answers to its pay calls still to be dropped ('lost'). */
  answersToLose: number;
  gmtPayment?: string;
  buyerId: string;
}

export interface FakeAlipayRefund {
  outTradeNo: string;
  tradeNo: string;
  outRequestNo: string;
  /** Yuan, two decimals, as Alipay writes it. */
  refundAmount: string;
  refundReason?: string;
  gmtRefundPay: string;
}

interface FakeOrder {
  outTradeNo: string;
  tradeNo: string;
  totalAmount: string;
  subject: string;
  buyerId: string;
  notifyUrl: string | undefined;
  /** TRADE_CLOSED here: paid, then refunded in full. */
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  gmtCreate: string;
  gmtPayment?: string;
  notifyId?: string;
}

/** Alipay accepts a request timestamp within 15 minutes of its own (Beijing) clock. */
const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

const generateRsaKeyPair = promisify(generateKeyPair);

/** A fresh RSA-2048 key pair as PEM: PKCS8 private, SPKI public. */
export async function generateRsa2KeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Alipay's string to sign: keys sorted, `k=v` joined with &, values as they are (not URL-encoded). */
function signContent(fields: Record<string, string>, omit: string[]): string {
  return Object.keys(fields)
    .filter((key) => !omit.includes(key))
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

/** A notification body signed as Alipay signs notifications: sign and sign_type are not in the signed string. */
export function signFormFields(fields: Record<string, string>, privateKeyPem: string): string {
  const sign = rsa2Sign(signContent(fields, ['sign', 'sign_type']), privateKeyPem);
  return new URLSearchParams({ sign_type: 'RSA2', ...fields, sign }).toString();
}

function digits(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += randomInt(10).toString();
  return text;
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Answer = Record<string, string>;

const businessFailed = (subCode: string, subMsg: string): Answer => ({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });
const invalidArguments = (subCode: string, subMsg: string): Answer => ({ code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg });

export async function startFakeAlipay(options: { port?: number } = {}): Promise<FakeAlipay> {
  const [appKeys, alipayKeys] = await Promise.all([generateRsa2KeyPair(), generateRsa2KeyPair()]);
  const appId = `2021${digits(12)}`;
  const sellerId = `2088${digits(12)}`;
  const orders = new Map<string, FakeOrder>();
  const authCodes = new Map<string, string>();
  const requests: Array<Record<string, string>> = [];
  const notifications: Array<{ outTradeNo: string; body: string; answerStatus: number; answerBody: string }> = [];
  const refunds: FakeAlipayRefund[] = [];
  const codeTrades = new Map<string, FakeAlipayCodeTrade>();
  const codeBehaviours = new Map<string, FakeAlipayCodeBehaviour>();
  /** Set while a pay call's answer is to be dropped (the gateway then closes the connection). */
  let dropAnswer = false;
  let down = false;
  let answerKeyPem = alipayKeys.privateKeyPem;
  let billTamper: (FakeBillTamper & { downloadUrl?: string }) | undefined;
  let billRequests = 0;
  /** Bill zips by download token. */
  const billFiles = new Map<string, Uint8Array>();
  let baseUrl = '';
  let config: AlipayConfig;
  const templateIds = Object.fromEntries(OUTBOX_EVENT_KINDS.map((kind) => [kind, Buffer.from(`${kind}-${randomUUID()}`).toString('base64')])) as Record<OutboxEventKind, string>;
  const templateMessages: { toUserId: string; userTemplateId: string; page: string; data: Record<string, { value: string }> }[] = [];
  const refusedUsers = new Set<string>();

  /** Alipay's answer shape: the signature covers the exact JSON text of the response object. */
  function signedAnswer(method: string, answer: Answer): string {
    const responseJson = JSON.stringify(answer);
    const sign = rsa2Sign(responseJson, answerKeyPem);
    return `{"${method.replaceAll('.', '_')}_response":${responseJson},"sign":${JSON.stringify(sign)}}`;
  }

  function tradeCreate(params: Record<string, string>, biz: Record<string, unknown>): Answer {
    const outTradeNo = biz.out_trade_no;
    const totalAmount = biz.total_amount;
    const buyerId = biz.buyer_id ?? biz.buyer_open_id;
    if (typeof outTradeNo !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo)) return invalidArguments('isv.invalid-parameter', 'out_trade_no');
    if (typeof totalAmount !== 'string' || !/^\d{1,9}\.\d{2}$/.test(totalAmount) || /^0+\.00$/.test(totalAmount)) return businessFailed('ACQ.INVALID_PARAMETER', 'total_amount');
    if (typeof biz.subject !== 'string' || biz.subject === '') return invalidArguments('isv.missing-parameter', 'subject');
    if (biz.product_code !== 'JSAPI_PAY') return businessFailed('ACQ.PRODUCT_CODE_ERROR', 'product_code');
    if (typeof buyerId !== 'string' || buyerId === '') return businessFailed('ACQ.BUYER_NOT_EXIST', 'buyer_id');
    if (biz.op_app_id !== params.app_id) return businessFailed('ACQ.INVALID_PARAMETER', 'op_app_id');
    if (biz.time_expire !== undefined && (typeof biz.time_expire !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(biz.time_expire))) {
      return businessFailed('ACQ.INVALID_PARAMETER', 'time_expire');
    }
    const existing = orders.get(outTradeNo);
    if (existing) {
      // Same order again: Alipay answers the same trade, or refuses if it changed or is already paid.
      if (existing.status === 'TRADE_SUCCESS') return businessFailed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.totalAmount !== totalAmount) return businessFailed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      return { code: '10000', msg: 'Success', out_trade_no: outTradeNo, trade_no: existing.tradeNo };
    }
    const now = formatBeijingTime(new Date());
    const order: FakeOrder = {
      outTradeNo,
      tradeNo: `${now.slice(0, 10).replaceAll('-', '')}22001${digits(15)}`,
      totalAmount,
      subject: biz.subject,
      buyerId,
      notifyUrl: params.notify_url,
      status: 'WAIT_BUYER_PAY',
      gmtCreate: now,
    };
    orders.set(outTradeNo, order);
    return { code: '10000', msg: 'Success', out_trade_no: outTradeNo, trade_no: order.tradeNo };
  }

  const newTradeNo = () => `${formatBeijingTime(new Date()).slice(0, 10).replaceAll('-', '')}22001${digits(15)}`;

  function codeTradeAnswer(trade: FakeAlipayCodeTrade, code = '10000', msg = 'Success'): Answer {
    const paid = trade.status === 'TRADE_SUCCESS';
    return {
      code,
      msg,
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: '159****5620',
      total_amount: trade.totalAmount,
      receipt_amount: paid ? trade.totalAmount : '0.00',
      buyer_pay_amount: paid ? trade.totalAmount : '0.00',
      ...(trade.gmtPayment ? { gmt_payment: trade.gmtPayment } : {}),
      buyer_user_id: trade.buyerId,
    };
  }

  /** 商户代扣 agreements by external_agreement_no. */
  const agreements = new Map<string, FakeAlipayAgreement>();
  const agreementNotifications: { externalAgreementNo: string; body: string; answerStatus: number; answerBody: string }[] = [];
  let deductAs: 'pay' | 'refuse' | 'hold' = 'pay';
  let deductCount = 0;

  /** Why a request (here a page request opened in a browser) is not believed, as the gateway would answer it. */
  function requestProblem(params: Record<string, string>): string | undefined {
    if (!params.app_id || !params.method || !params.sign || !params.timestamp) return '缺少必选参数';
    if (params.app_id !== appId) return '无效的AppID参数';
    if (params.sign_type !== 'RSA2') return '无效的签名类型';
    if (!createVerify('RSA-SHA256').update(signContent(params, ['sign']), 'utf8').verify(appKeys.publicKeyPem, params.sign, 'base64')) return '验签出错';
    const stamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(params.timestamp);
    if (!stamp || Math.abs(Date.parse(`${stamp[1]}T${stamp[2]}+08:00`) - Date.now()) > TIMESTAMP_WINDOW_MS) return `非法的时间戳参数 ${params.timestamp}`;
    return undefined;
  }

  /** alipay.user.agreement.page.sign, opened: the agreement is held (TEMP) with the notify_url to tell of its signing. */
  function pageSign(params: Record<string, string>): { status: number; html: string } {
    const page = (title: string, body: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body style="font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em"><h1 style="font-size:1.3em">${title}</h1>${body}</body></html>`;
    const problem = requestProblem(params);
    if (problem) return { status: 400, html: page('签约请求无效', `<p>${problem}</p>`) };
    let biz: Record<string, unknown>;
    try {
      biz = JSON.parse(params.biz_content ?? '{}') as Record<string, unknown>;
    } catch {
      return { status: 400, html: page('签约请求无效', '<p>biz_content</p>') };
    }
    const code = biz.external_agreement_no;
    const channel = (biz.access_params as { channel?: unknown } | undefined)?.channel;
    if (typeof code !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(code) || biz.personal_product_code !== 'GENERAL_WITHHOLDING_P' || typeof biz.sign_scene !== 'string' || biz.sign_scene === '' || typeof channel !== 'string') {
      return { status: 400, html: page('签约请求无效', '<p>external_agreement_no, personal_product_code, sign_scene, access_params</p>') };
    }
    const existing = agreements.get(code);
    if (existing && existing.status !== 'TEMP') return { status: 200, html: page('该协议已处理', `<p>协议 ${code}：${existing.status === 'NORMAL' ? '已签约' : '已解约'}</p>`) };
    agreements.set(code, {
      externalAgreementNo: code,
      personalProductCode: biz.personal_product_code,
      signScene: biz.sign_scene,
      notifyUrl: params.notify_url,
      ...(typeof biz.external_logon_id === 'string' ? { externalLogonId: biz.external_logon_id } : {}),
      status: 'TEMP',
      notifyIds: {},
    });
    const account = typeof biz.external_logon_id === 'string' ? biz.external_logon_id.replace(/[<>&"]/g, '') : '';
    return {
      status: 200,
      html: page('支付宝 商户代扣 签约', `<p>${account} 开通自动扣款（校园卡自动充值）</p><form method="post" action="/__fake/agreement/sign/${code}"><button type="submit">同意协议并开通</button></form>`),
    };
  }

  function agreementFields(agreement: FakeAlipayAgreement, kind: 'sign' | 'unsign'): Record<string, string> {
    agreement.notifyIds[kind] ??= `${randomUUID().replaceAll('-', '')}${digits(4)}`;
    return {
      notify_type: kind === 'sign' ? 'dut_user_sign' : 'dut_user_unsign',
      notify_id: agreement.notifyIds[kind]!,
      notify_time: formatBeijingTime(new Date()),
      app_id: appId,
      auth_app_id: appId,
      partner_id: sellerId,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      external_agreement_no: agreement.externalAgreementNo,
      agreement_no: agreement.agreementNo!,
      personal_product_code: agreement.personalProductCode,
      sign_scene: agreement.signScene,
      alipay_user_id: agreement.alipayUserId!,
      status: kind === 'sign' ? 'NORMAL' : 'UNSIGN',
      sign_time: agreement.signTime!,
      valid_time: agreement.signTime!,
      invalid_time: '2115-02-01 00:00:00',
      ...(kind === 'unsign' && agreement.unsignTime ? { unsign_time: agreement.unsignTime } : {}),
      ...(agreement.externalLogonId ? { external_logon_id: agreement.externalLogonId } : {}),
    };
  }

  async function notifyAgreement(agreement: FakeAlipayAgreement, kind: 'sign' | 'unsign'): Promise<number> {
    if (!agreement.notifyUrl) throw new Error(`fake Alipay: agreement ${agreement.externalAgreementNo} has no notify_url`);
    const target = new URL(agreement.notifyUrl);
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(target.hostname)) throw new Error(`fake Alipay: will not post outside loopback: ${agreement.notifyUrl}`);
    const body = signFormFields(agreementFields(agreement, kind), alipayKeys.privateKeyPem);
    const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    const answerBody = await response.text();
    agreementNotifications.push({ externalAgreementNo: agreement.externalAgreementNo, body, answerStatus: response.status, answerBody });
    return response.status;
  }

  async function signAgreement(code: string, signing: { userId?: string; notify?: boolean; notifyUrl?: string } = {}): Promise<number> {
    let agreement = agreements.get(code);
    if (!agreement && signing.notifyUrl) {
      agreement = { externalAgreementNo: code, personalProductCode: 'GENERAL_WITHHOLDING_P', signScene: config.agreementSignScene!, notifyUrl: signing.notifyUrl, status: 'TEMP', notifyIds: {} };
      agreements.set(code, agreement);
    }
    if (!agreement) throw new Error(`fake Alipay: no signing page opened for agreement ${code}`);
    if (agreement.status === 'UNSIGN') throw new Error(`fake Alipay: agreement ${code} has been unsigned`);
    if (agreement.status === 'TEMP') {
      Object.assign(agreement, { status: 'NORMAL', agreementNo: `2026${digits(16)}`, alipayUserId: signing.userId ?? `2088${digits(12)}`, signTime: formatBeijingTime(new Date()) } satisfies Partial<FakeAlipayAgreement>);
    }
    return signing.notify === false ? 0 : notifyAgreement(agreement, 'sign');
  }

  async function unsignAgreement(code: string): Promise<number> {
    const agreement = agreements.get(code);
    if (!agreement || agreement.status !== 'NORMAL') throw new Error(`fake Alipay: no signed agreement ${code}`);
    Object.assign(agreement, { status: 'UNSIGN', unsignTime: formatBeijingTime(new Date()) } satisfies Partial<FakeAlipayAgreement>);
    return notifyAgreement(agreement, 'unsign');
  }

  /** The agreement a query or unsign names: by agreement_no, or by external_agreement_no with its product and scene. */
  function agreementOf(biz: Record<string, unknown>): FakeAlipayAgreement | undefined {
    if (typeof biz.agreement_no === 'string') return [...agreements.values()].find((a) => a.agreementNo === biz.agreement_no);
    const found = typeof biz.external_agreement_no === 'string' ? agreements.get(biz.external_agreement_no) : undefined;
    return found && found.personalProductCode === biz.personal_product_code && found.signScene === biz.sign_scene ? found : undefined;
  }

  /** alipay.user.agreement.query: an agreement never opened, or of another product or scene, does not exist. */
  function agreementQuery(biz: Record<string, unknown>): Answer {
    const agreement = agreementOf(biz);
    if (!agreement) return businessFailed('USER_AGREEMENT_NOT_EXIST', '用户协议不存在');
    return {
      code: '10000',
      msg: 'Success',
      external_agreement_no: agreement.externalAgreementNo,
      personal_product_code: agreement.personalProductCode,
      sign_scene: agreement.signScene,
      status: agreement.status,
      ...(agreement.agreementNo ? { agreement_no: agreement.agreementNo } : {}),
      ...(agreement.alipayUserId ? { principal_id: agreement.alipayUserId, alipay_logon_id: '159****5620' } : {}),
      ...(agreement.signTime ? { sign_time: agreement.signTime, valid_time: agreement.signTime, invalid_time: '2115-02-01 00:00:00' } : {}),
    };
  }

  /** alipay.user.agreement.unsign by the merchant: answered, and no notification to the merchant that asked. */
  function agreementUnsign(biz: Record<string, unknown>): Answer {
    const agreement = agreementOf(biz);
    if (!agreement || agreement.status !== 'NORMAL') return businessFailed('USER_AGREEMENT_NOT_EXIST', '用户协议不存在');
    Object.assign(agreement, { status: 'UNSIGN', unsignTime: formatBeijingTime(new Date()) } satisfies Partial<FakeAlipayAgreement>);
    return { code: '10000', msg: 'Success' };
  }

  /**
   * alipay.trade.pay, product GENERAL_WITHHOLDING (商户代扣): charged under a NORMAL agreement. The trade
   * is kept as an order like any other: queried, paid and notified (trade_status_sync) the same way.
   */
  function withholdingPay(params: Record<string, string>, biz: Record<string, unknown>): Answer {
    deductCount++;
    const { out_trade_no: outTradeNo, total_amount: totalAmount } = biz;
    if (typeof outTradeNo !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo)) return invalidArguments('isv.invalid-parameter', 'out_trade_no');
    if (typeof totalAmount !== 'string' || !/^\d{1,9}\.\d{2}$/.test(totalAmount) || /^0+\.00$/.test(totalAmount)) return businessFailed('ACQ.INVALID_PARAMETER', 'total_amount');
    if (typeof biz.subject !== 'string' || biz.subject === '') return invalidArguments('isv.missing-parameter', 'subject');
    const agreementNo = (biz.agreement_params as { agreement_no?: unknown } | undefined)?.agreement_no;
    const agreement = typeof agreementNo === 'string' ? [...agreements.values()].find((a) => a.agreementNo === agreementNo) : undefined;
    if (!agreement) return businessFailed('ACQ.AGREEMENT_NOT_EXIST', '用户协议不存在');
    if (agreement.status !== 'NORMAL') return businessFailed('ACQ.AGREEMENT_INVALID', '用户协议已失效');
    const answerOf = (order: FakeOrder, code = '10000', msg = 'Success'): Answer => ({
      code,
      msg,
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      buyer_logon_id: '159****5620',
      total_amount: order.totalAmount,
      receipt_amount: order.status === 'TRADE_SUCCESS' ? order.totalAmount : '0.00',
      buyer_user_id: order.buyerId,
      ...(order.gmtPayment ? { gmt_payment: order.gmtPayment } : {}),
    });
    const existing = orders.get(outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS') return businessFailed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') return businessFailed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      return answerOf(existing, '10003', ' order success pay inprocess');
    }
    if (deductAs === 'refuse') return businessFailed('ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足');
    const order: FakeOrder = {
      outTradeNo,
      tradeNo: newTradeNo(),
      totalAmount,
      subject: biz.subject,
      buyerId: agreement.alipayUserId!,
      notifyUrl: params.notify_url,
      status: 'WAIT_BUYER_PAY',
      gmtCreate: formatBeijingTime(new Date()),
    };
    orders.set(outTradeNo, order);
    if (deductAs === 'hold') return answerOf(order, '10003', ' order success pay inprocess');
    Object.assign(order, { status: 'TRADE_SUCCESS', gmtPayment: formatBeijingTime(new Date()), notifyId: `${randomUUID().replaceAll('-', '')}${digits(4)}` } satisfies Partial<FakeOrder>);
    // Paid now; its notification follows, as Alipay's does.
    if (order.notifyUrl) setImmediate(() => void pay(outTradeNo).catch(() => undefined));
    return answerOf(order);
  }

  /** alipay.trade.pay, scene bar_code (当面付 条码支付): 10000 paid, 10003 waiting for the payer, 40004 refused. */
  function tradePay(biz: Record<string, unknown>, params: Record<string, string> = {}): Answer {
    if (biz.product_code === 'GENERAL_WITHHOLDING') return withholdingPay(params, biz);
    const { out_trade_no: outTradeNo, total_amount: totalAmount, auth_code: authCode } = biz;
    if (typeof outTradeNo !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo)) return invalidArguments('isv.invalid-parameter', 'out_trade_no');
    if (typeof totalAmount !== 'string' || !/^\d{1,9}\.\d{2}$/.test(totalAmount) || /^0+\.00$/.test(totalAmount)) return businessFailed('ACQ.INVALID_PARAMETER', 'total_amount');
    if (typeof biz.subject !== 'string' || biz.subject === '') return invalidArguments('isv.missing-parameter', 'subject');
    if (biz.scene !== 'bar_code') return businessFailed('ACQ.INVALID_PARAMETER', 'scene');
    if (typeof authCode !== 'string' || !/^(2[5-9]|30)\d{14,22}$/.test(authCode)) return businessFailed('ACQ.PAYMENT_AUTH_CODE_INVALID', '支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款');
    const existing = codeTrades.get(outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_CLOSED') return businessFailed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (existing.authCode !== authCode || existing.totalAmount !== totalAmount) return businessFailed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      existing.payCalls++;
      if (existing.answersToLose > 0) {
        existing.answersToLose--;
        dropAnswer = true;
      }
      return existing.status === 'TRADE_SUCCESS' ? codeTradeAnswer(existing) : codeTradeAnswer(existing, '10003', ' order success pay inprocess');
    }
    const behaviour = codeBehaviours.get(authCode) ?? { kind: 'paid' };
    if (behaviour.kind === 'refused') return businessFailed(behaviour.subCode ?? 'ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足');
    const trade: FakeAlipayCodeTrade = { outTradeNo, tradeNo: newTradeNo(), authCode, totalAmount, status: 'WAIT_BUYER_PAY', payCalls: 1, queries: 0, cancelled: false, answersToLose: 0, buyerId: `2088${digits(12)}` };
    codeTrades.set(outTradeNo, trade);
    if (behaviour.kind === 'password') return codeTradeAnswer(trade, '10003', ' order success pay inprocess');
    Object.assign(trade, { status: 'TRADE_SUCCESS', gmtPayment: formatBeijingTime(new Date()) } satisfies Partial<FakeAlipayCodeTrade>);
    if (behaviour.kind === 'lost') {
      trade.answersToLose = (behaviour.answersLost ?? 2) - 1;
      dropAnswer = true;
    }
    return codeTradeAnswer(trade);
  }

  /** alipay.trade.cancel: closes it unpaid, refunds it if paid; an unknown number is closed too (barred). */
  function tradeCancel(biz: Record<string, unknown>): Answer {
    const outTradeNo = biz.out_trade_no;
    if (typeof outTradeNo !== 'string' || outTradeNo === '') return invalidArguments('isv.missing-parameter', 'out_trade_no');
    if (orders.has(outTradeNo)) return businessFailed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    let trade = codeTrades.get(outTradeNo);
    if (!trade) {
      trade = { outTradeNo, tradeNo: newTradeNo(), authCode: '', totalAmount: '0.00', status: 'TRADE_CLOSED', payCalls: 0, queries: 0, cancelled: true, cancelAction: 'close', answersToLose: 0, buyerId: '' };
      codeTrades.set(outTradeNo, trade);
    } else if (!trade.cancelled) {
      Object.assign(trade, { cancelAction: trade.status === 'TRADE_SUCCESS' ? 'refund' : 'close', status: 'TRADE_CLOSED', cancelled: true } satisfies Partial<FakeAlipayCodeTrade>);
    }
    return { code: '10000', msg: 'Success', trade_no: trade.tradeNo, out_trade_no: outTradeNo, retry_flag: 'N', action: trade.cancelAction ?? 'close' };
  }

  function tradeQuery(biz: Record<string, unknown>): Answer {
    const codeTrade = typeof biz.out_trade_no === 'string' ? codeTrades.get(biz.out_trade_no) : undefined;
    if (codeTrade && codeTrade.authCode !== '') {
      codeTrade.queries++;
      const behaviour = codeBehaviours.get(codeTrade.authCode);
      // The payer finishes typing the password after this many queries (never, without a number).
      if (codeTrade.status === 'WAIT_BUYER_PAY' && behaviour?.kind === 'password' && behaviour.paidAfterQueries !== undefined && codeTrade.queries >= behaviour.paidAfterQueries) {
        Object.assign(codeTrade, { status: 'TRADE_SUCCESS', gmtPayment: formatBeijingTime(new Date()) } satisfies Partial<FakeAlipayCodeTrade>);
      }
      return { ...codeTradeAnswer(codeTrade), trade_status: codeTrade.status, ...(codeTrade.gmtPayment ? { send_pay_date: codeTrade.gmtPayment } : {}) };
    }
    const order = typeof biz.out_trade_no === 'string' ? orders.get(biz.out_trade_no) : [...orders.values()].find((o) => o.tradeNo === biz.trade_no);
    if (!order) {
      return {
        ...businessFailed('ACQ.TRADE_NOT_EXIST', '交易不存在'),
        ...(typeof biz.out_trade_no === 'string' ? { out_trade_no: biz.out_trade_no } : {}),
        buyer_pay_amount: '0.00',
        receipt_amount: '0.00',
      };
    }
    const paid = order.status !== 'WAIT_BUYER_PAY';
    return {
      code: '10000',
      msg: 'Success',
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      buyer_logon_id: '159****5620',
      trade_status: order.status,
      total_amount: order.totalAmount,
      buyer_pay_amount: paid ? order.totalAmount : '0.00',
      receipt_amount: paid ? order.totalAmount : '0.00',
      ...(order.gmtPayment ? { send_pay_date: order.gmtPayment } : {}),
      buyer_user_id: order.buyerId,
    };
  }

  const fen = (yuan: string) => parseYuan(yuan);

  /**
   * alipay.trade.refund: synchronous, idempotent per out_request_no (a repeat answers the same refund
   * with fund_change N); never more than was paid in total; a full refund closes the trade.
   */
  function tradeRefund(biz: Record<string, unknown>): Answer {
    const order = typeof biz.out_trade_no === 'string' ? orders.get(biz.out_trade_no) : typeof biz.trade_no === 'string' ? [...orders.values()].find((o) => o.tradeNo === biz.trade_no) : undefined;
    if (!order || (typeof biz.trade_no === 'string' && biz.trade_no !== order.tradeNo)) return businessFailed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const amount = biz.refund_amount;
    if (typeof amount !== 'string' || !/^\d{1,9}\.\d{2}$/.test(amount) || fen(amount) <= 0) return businessFailed('ACQ.INVALID_PARAMETER', 'refund_amount');
    // Without out_request_no Alipay takes the trade number as it: one refund per trade.
    const outRequestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : order.tradeNo;
    if (!/^[A-Za-z0-9_]{1,64}$/.test(outRequestNo)) return invalidArguments('isv.invalid-parameter', 'out_request_no');
    const refundedFen = refunds.filter((r) => r.outTradeNo === order.outTradeNo).reduce((sum, r) => sum + fen(r.refundAmount), 0);
    const answer = (fundChange: 'Y' | 'N', refund: FakeAlipayRefund): Answer => ({
      code: '10000',
      msg: 'Success',
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      buyer_logon_id: '159****5620',
      fund_change: fundChange,
      refund_fee: formatYuan(refundedFen + (fundChange === 'Y' ? fen(refund.refundAmount) : 0)),
      gmt_refund_pay: refund.gmtRefundPay,
      buyer_user_id: order.buyerId,
    });
    const existing = refunds.find((r) => r.outTradeNo === order.outTradeNo && r.outRequestNo === outRequestNo);
    if (existing) return existing.refundAmount === amount ? answer('N', existing) : businessFailed('ACQ.REQUEST_AMOUNT_EXCEED', '请求退款金额与原请求不一致');
    if (order.status === 'WAIT_BUYER_PAY') return businessFailed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (refundedFen + fen(amount) > fen(order.totalAmount)) return businessFailed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const refund: FakeAlipayRefund = {
      outTradeNo: order.outTradeNo,
      tradeNo: order.tradeNo,
      outRequestNo,
      refundAmount: amount,
      ...(typeof biz.refund_reason === 'string' ? { refundReason: biz.refund_reason } : {}),
      gmtRefundPay: formatBeijingTime(new Date()),
    };
    refunds.push(refund);
    if (refundedFen + fen(amount) === fen(order.totalAmount)) order.status = 'TRADE_CLOSED';
    return answer('Y', refund);
  }

  /** alipay.trade.fastpay.refund.query: a refund by its request number; Success with no refund fields if there is none. */
  function refundQuery(biz: Record<string, unknown>): Answer {
    const order = typeof biz.out_trade_no === 'string' ? orders.get(biz.out_trade_no) : [...orders.values()].find((o) => o.tradeNo === biz.trade_no);
    if (!order) return businessFailed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const refund = refunds.find((r) => r.outTradeNo === order.outTradeNo && r.outRequestNo === biz.out_request_no);
    if (!refund) return { code: '10000', msg: 'Success', trade_no: order.tradeNo, out_trade_no: order.outTradeNo };
    return {
      code: '10000',
      msg: 'Success',
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      out_request_no: refund.outRequestNo,
      total_amount: order.totalAmount,
      refund_amount: refund.refundAmount,
      refund_status: 'REFUND_SUCCESS',
      gmt_refund_pay: refund.gmtRefundPay,
    };
  }

  /**
   * alipay.data.dataservice.bill.downloadurl.query: a URL (valid 30 s, unsigned) of the day's bill zip.
   * Payments are in the bill of their payment time, refunds of theirs (Beijing days).
   */
  function billDownloadUrl(biz: Record<string, unknown>): Answer {
    if (biz.bill_type !== 'trade') return invalidArguments('isv.invalid-parameter', 'bill_type');
    const day = biz.bill_date;
    if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return invalidArguments('isv.invalid-parameter', 'bill_date');
    billRequests++;
    const token = randomUUID().replaceAll('-', '');
    billFiles.set(token, tradeBillZip(day));
    const compact = day.replaceAll('-', '');
    return {
      code: '10000',
      msg: 'Success',
      bill_download_url: billTamper?.downloadUrl ?? `${baseUrl}/downloadBillFile.resource?bizType=trade&userId=${sellerId}&fileType=csv.zip&bizDates=${compact}&downloadFileName=${sellerId}_${compact}.csv.zip&fileId=${token}`,
    };
  }

  function tradeBillZip(day: string): Uint8Array {
    const lines: FakeBillLine[] = [];
    for (const order of orders.values()) {
      if (!order.gmtPayment?.startsWith(day)) continue;
      const fen = parseYuan(order.totalAmount);
      lines.push({ kind: 'payment', platformTxnId: order.tradeNo, outTradeNo: order.outTradeNo, amountFen: fen, paidFen: fen, at: order.gmtPayment, description: order.subject, payer: order.buyerId });
    }
    // Face-to-face sales paid and not cancelled are in the bill like any payment.
    for (const trade of codeTrades.values()) {
      if (trade.status !== 'TRADE_SUCCESS' || trade.cancelled || !trade.gmtPayment?.startsWith(day)) continue;
      const fen = parseYuan(trade.totalAmount);
      lines.push({ kind: 'payment', platformTxnId: trade.tradeNo, outTradeNo: trade.outTradeNo, amountFen: fen, paidFen: fen, at: trade.gmtPayment, description: '', payer: trade.buyerId });
    }
    for (const refund of refunds) {
      if (!refund.gmtRefundPay.startsWith(day)) continue;
      const order = orders.get(refund.outTradeNo);
      lines.push({
        kind: 'refund',
        platformTxnId: refund.tradeNo,
        outTradeNo: refund.outTradeNo,
        amountFen: parseYuan(refund.refundAmount),
        paidFen: order ? parseYuan(order.totalAmount) : 0,
        at: refund.gmtRefundPay,
        description: order?.subject ?? '',
        payer: order?.buyerId ?? '',
        refundId: refund.outRequestNo,
      });
    }
    lines.sort((a, b) => a.at.localeCompare(b.at));
    const rows = applyBillTamper(day, lines, billTamper ?? {}, () => `${day.replaceAll('-', '')}22001${digits(15)}`);
    const compact = day.replaceAll('-', '');
    const chineseDay = (d: string) => `${d.slice(0, 4)}年${d.slice(5, 7)}月${d.slice(8, 10)}日`;
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const exported = formatBeijingTime(new Date());
    // Alipay pads its fields with a tab (so spreadsheets keep long numbers as text).
    const pad = (value: string) => `${value}\t`;
    const feeOf = (fen: number) => Math.round((fen * 6) / 1000);
    const payments = rows.filter((row) => row.kind === 'payment');
    const refundRows = rows.filter((row) => row.kind === 'refund');
    const sum = (list: FakeBillLine[]) => list.reduce((total, row) => total + row.amountFen, 0);
    const detail = [
      ALIPAY_BILL_DETAIL_TITLE,
      `#账号：[${sellerId}0156]`,
      `#起始日期：[${chineseDay(day)} 00:00:00]   终止日期：[${chineseDay(next)} 00:00:00]`,
      '#-----------------------------------------业务明细列表----------------------------------------',
      ALIPAY_BILL_DETAIL_HEADER.join(','),
      ...rows.map((row) => {
        const signed = row.kind === 'payment' ? formatYuan(row.amountFen) : formatYuan(-row.amountFen);
        return [
          row.platformTxnId, row.outTradeNo, row.kind === 'payment' ? '交易' : '退款', row.description, row.at, row.at, '', '', '', '', '159****5620',
          signed, signed, '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', row.refundId ?? '', formatYuan(row.kind === 'payment' ? -feeOf(row.amountFen) : feeOf(row.amountFen)), '0.00', '',
        ].map(pad).join(',');
      }),
      '#-----------------------------------------业务明细列表结束------------------------------------',
      `#交易合计：${payments.length}笔，商家实收共${formatYuan(sum(payments))}元，商家优惠共0.00元`,
      `#退款合计：${refundRows.length}笔，商家实收退款共${formatYuan(-sum(refundRows))}元，商家优惠退款共0.00元`,
      `#导出时间：[${exported.slice(0, 10).replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1年$2月$3日')} ${exported.slice(11)}]`,
    ];
    const summary = [
      ALIPAY_BILL_SUMMARY_TITLE,
      `#账号：[${sellerId}0156]`,
      `#起始日期：[${chineseDay(day)} 00:00:00]   终止日期：[${chineseDay(next)} 00:00:00]`,
      '#-----------------------------------------业务汇总列表----------------------------------------',
      '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
      ['合计', '', String(payments.length), String(refundRows.length), formatYuan(sum(payments) - sum(refundRows)), formatYuan(sum(payments) - sum(refundRows)), '0.00', '0.00', '0.00', '0.00', '0.00', formatYuan(sum(payments) - sum(refundRows))].join(','),
      '#-----------------------------------------业务汇总列表结束------------------------------------',
      `#导出时间：[${exported}]`,
    ];
    const gbk = (text: string[]) => new Uint8Array(iconv.encode(`${text.join('\r\n')}\r\n`, 'gbk'));
    // Real zips name their entries in GBK without the UTF-8 flag; the reader tells them apart by content, so UTF-8 names do here.
    return zipSync({ [`${sellerId}0156_${compact}_业务明细.csv`]: gbk(detail), [`${sellerId}0156_${compact}_业务明细(汇总).csv`]: gbk(summary) });
  }

  /** Mini-program sign-in: a one-time auth code (my.getAuthCode) for the user id behind it. */
  function oauthToken(params: Record<string, string>): Answer {
    const userId = params.grant_type === 'authorization_code' && params.code ? authCodes.get(params.code) : undefined;
    if (!userId) return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.code-invalid', sub_msg: '授权码code无效' };
    authCodes.delete(params.code!);
    return { user_id: userId, access_token: `authusrB${randomUUID().replaceAll('-', '')}`, expires_in: '31536000', refresh_token: `authusrB${digits(12)}`, re_expires_in: '31536000', auth_start: formatBeijingTime(new Date()) };
  }

  /** A subscribe message to a user of the mini-program: a known template, the keywords as JSON, within 2048 characters. */
  function templateMessageSend(biz: Record<string, unknown>): Answer {
    const toUserId = typeof biz.to_user_id === 'string' ? biz.to_user_id : '';
    const userTemplateId = typeof biz.user_template_id === 'string' ? biz.user_template_id : '';
    if (!/^2088\d{12}$/.test(toUserId)) return { code: '40004', msg: 'Business Failed', sub_code: 'USER_ID_INVALID', sub_msg: '用户ID不合法' };
    if (!Object.values(templateIds).includes(userTemplateId)) return { code: '40004', msg: 'Business Failed', sub_code: 'TEMPLATE_NOT_EXIST', sub_msg: '模板不存在' };
    if (refusedUsers.has(toUserId)) return { code: '40004', msg: 'Business Failed', sub_code: 'USER_NOT_SUBSCRIBED', sub_msg: '用户未订阅该消息' };
    let data: Record<string, { value: string }>;
    try {
      if (typeof biz.data !== 'string' || biz.data.length > 2048) throw new Error('data');
      data = JSON.parse(biz.data) as Record<string, { value: string }>;
    } catch {
      return invalidArguments('isv.invalid-parameter', 'data');
    }
    templateMessages.push({ toUserId, userTemplateId, page: typeof biz.page === 'string' ? biz.page : '', data });
    return { code: '10000', msg: 'Success' };
  }

  /** The open platform gateway: verify the app's signature, then do the method. */
  function gateway(params: Record<string, string>): string {
    const method = params.method ?? '';
    if (!params.app_id || !method || !params.sign || !params.timestamp) return signedAnswer(method || 'error', invalidArguments('isv.missing-parameter', '缺少必选参数'));
    if (params.app_id !== appId) return signedAnswer(method, invalidArguments('isv.invalid-app-id', '无效的AppID参数'));
    if (params.sign_type !== 'RSA2') return signedAnswer(method, invalidArguments('isv.invalid-signature-type', '无效的签名类型'));
    const content = signContent(params, ['sign']);
    const verified = createVerify('RSA-SHA256').update(content, 'utf8').verify(appKeys.publicKeyPem, params.sign, 'base64');
    if (!verified) {
      return signedAnswer(method, invalidArguments('isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`));
    }
    const stamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(params.timestamp);
    if (!stamp || Math.abs(Date.parse(`${stamp[1]}T${stamp[2]}+08:00`) - Date.now()) > TIMESTAMP_WINDOW_MS) {
      return signedAnswer(method, invalidArguments('isv.invalid-timestamp', `非法的时间戳参数 ${params.timestamp}`));
    }
    requests.push(params);
    if (down) return signedAnswer(method, { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' });
    let biz: Record<string, unknown>;
    try {
      biz = JSON.parse(params.biz_content ?? '{}') as Record<string, unknown>;
    } catch {
      return signedAnswer(method, invalidArguments('isv.invalid-parameter', 'biz_content'));
    }
    switch (method) {
      case 'alipay.trade.create':
        return signedAnswer(method, tradeCreate(params, biz));
      case 'alipay.trade.query':
        return signedAnswer(method, tradeQuery(biz));
      case 'alipay.trade.pay':
        return signedAnswer(method, tradePay(biz, params));
      case 'alipay.user.agreement.query':
        return signedAnswer(method, agreementQuery(biz));
      case 'alipay.user.agreement.unsign':
        return signedAnswer(method, agreementUnsign(biz));
      case 'alipay.trade.cancel':
        return signedAnswer(method, tradeCancel(biz));
      case 'alipay.trade.refund':
        return signedAnswer(method, tradeRefund(biz));
      case 'alipay.trade.fastpay.refund.query':
        return signedAnswer(method, refundQuery(biz));
      case 'alipay.data.dataservice.bill.downloadurl.query':
        return signedAnswer(method, billDownloadUrl(biz));
      case 'alipay.system.oauth.token':
        return signedAnswer(method, oauthToken(params));
      case 'alipay.open.app.mini.templatemessage.send':
        return signedAnswer(method, templateMessageSend(biz));
      default:
        return signedAnswer(method, invalidArguments('isv.invalid-method', '不存在的方法名'));
    }
  }

  function notificationFields(order: FakeOrder): Record<string, string> {
    return {
      notify_time: formatBeijingTime(new Date()),
      notify_type: 'trade_status_sync',
      notify_id: order.notifyId!,
      app_id: appId,
      auth_app_id: appId,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      buyer_id: order.buyerId,
      seller_id: sellerId,
      total_amount: order.totalAmount,
      receipt_amount: order.totalAmount,
      buyer_pay_amount: order.totalAmount,
      // The payment notification (and its retries) tells of the payment, whatever happened since.
      trade_status: 'TRADE_SUCCESS',
      gmt_create: order.gmtCreate,
      gmt_payment: order.gmtPayment!,
      subject: order.subject,
    };
  }

  async function pay(outTradeNo: string, payment: { amountFen?: number; notify?: boolean } = {}): Promise<number> {
    const order = orders.get(outTradeNo);
    if (!order) throw new Error(`fake Alipay: no order ${outTradeNo}`);
    if (order.status === 'WAIT_BUYER_PAY') {
      order.status = 'TRADE_SUCCESS';
      if (payment.amountFen !== undefined) order.totalAmount = formatYuan(payment.amountFen);
      order.gmtPayment = formatBeijingTime(new Date());
      order.notifyId = `${randomUUID().replaceAll('-', '')}${digits(4)}`;
    }
    if (payment.notify === false) return 0;
    if (!order.notifyUrl) throw new Error(`fake Alipay: order ${outTradeNo} has no notify_url`);
    // Notifications stay on this machine, whatever notify_url says.
    const target = new URL(order.notifyUrl);
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(target.hostname)) throw new Error(`fake Alipay: will not post outside loopback: ${order.notifyUrl}`);
    const body = signFormFields(notificationFields(order), alipayKeys.privateKeyPem);
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    const answerBody = await response.text();
    notifications.push({ outTradeNo, body, answerStatus: response.status, answerBody });
    return response.status;
  }

  /** notify_ids of the notifications other than the payment's, one per order and status (a redelivery keeps its id). */
  const otherNotifyIds = new Map<string, string>();
  async function renotify(outTradeNo: string, delivery: AlipayRenotifyOptions = {}): Promise<{ status: number; body: string; ms: number }[]> {
    const order = orders.get(outTradeNo);
    if (!order?.notifyUrl) throw new Error(`fake Alipay: no order ${outTradeNo} with a notify_url`);
    const status = delivery.tradeStatus ?? 'TRADE_SUCCESS';
    if (status !== 'TRADE_CLOSED' && !order.gmtPayment) throw new Error(`fake Alipay: order ${outTradeNo} has no payment to notify of`);
    const key = `${outTradeNo}#${status}`;
    if (status !== 'TRADE_SUCCESS' && !otherNotifyIds.has(key)) otherNotifyIds.set(key, `${randomUUID().replaceAll('-', '')}${digits(4)}`);
    const at = formatBeijingTime(delivery.at ?? new Date());
    const paid = order.gmtPayment ? notificationFields(order) : undefined;
    const fields: Record<string, string> = {
      ...(paid ?? { notify_type: 'trade_status_sync', app_id: appId, auth_app_id: appId, charset: 'utf-8', version: '1.0', sign_type: 'RSA2', trade_no: order.tradeNo, out_trade_no: order.outTradeNo, buyer_id: order.buyerId, seller_id: sellerId, total_amount: order.totalAmount, gmt_create: order.gmtCreate, subject: order.subject }),
      notify_time: at,
      notify_id: status === 'TRADE_SUCCESS' ? order.notifyId! : otherNotifyIds.get(key)!,
      trade_status: status,
      ...(status !== 'TRADE_SUCCESS' ? { gmt_close: at } : {}),
      // Closed after it was paid: refunded in full, and the notification says so.
      ...(status === 'TRADE_CLOSED' && paid ? { refund_fee: order.totalAmount, gmt_refund: `${at}.000`, out_biz_no: `R${order.outTradeNo}` } : {}),
    };
    const target = new URL(order.notifyUrl);
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(target.hostname)) throw new Error(`fake Alipay: will not post outside loopback: ${order.notifyUrl}`);
    const body = signFormFields(fields, alipayKeys.privateKeyPem);
    const deliverOnce = async () => {
      const started = performance.now();
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
      const answerBody = await response.text();
      notifications.push({ outTradeNo, body, answerStatus: response.status, answerBody });
      return { status: response.status, body: answerBody, ms: performance.now() - started };
    };
    const times = delivery.times ?? 1;
    if (!delivery.delayMs) return Promise.all(Array.from({ length: times }, deliverOnce));
    const answers: { status: number; body: string; ms: number }[] = [];
    for (let i = 0; i < times; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, delivery.delayMs));
      answers.push(await deliverOnce());
    }
    return answers;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    };
    if (request.method === 'POST' && url.pathname === '/gateway.do') {
      // alipay-sdk puts the common parameters in the URL and the rest (biz_content) in a form body.
      const params = { ...Object.fromEntries(new URLSearchParams(await readBody(request))), ...Object.fromEntries(url.searchParams) };
      const answer = gateway(params);
      if (dropAnswer) {
        // The payment is taken, and the answer never arrives (a dropped connection).
        dropAnswer = false;
        request.socket.destroy();
        return;
      }
      send(200, 'application/json;charset=utf-8', answer);
      return;
    }
    // A page request (alipay.user.agreement.page.sign), opened by the holder's browser or Alipay app.
    if (request.method === 'GET' && url.pathname === '/gateway.do') {
      const params = Object.fromEntries(url.searchParams);
      if (params.method !== 'alipay.user.agreement.page.sign') return send(400, 'text/plain; charset=utf-8', '不支持的页面接口');
      const { status, html } = pageSign(params);
      return send(status, 'text/html; charset=utf-8', html);
    }
    const agreementSign = /^\/__fake\/agreement\/sign\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'POST' && agreementSign) {
      // The local demo's stand-in for the holder confirming on the signing page; this machine only.
      if (!isLoopback(request.socket.remoteAddress)) return send(403, 'text/plain', 'loopback only');
      const code = decodeURIComponent(agreementSign[1]!);
      try {
        return send(200, 'application/json', JSON.stringify({ externalAgreementNo: code, notifyStatus: await signAgreement(code) }));
      } catch (error) {
        return send(409, 'application/json', JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      }
    }
    if (request.method === 'GET' && url.pathname === '/downloadBillFile.resource') {
      const zip = billFiles.get(url.searchParams.get('fileId') ?? '');
      if (!zip) return send(404, 'text/plain', 'file not found');
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename=${url.searchParams.get('downloadFileName') ?? 'bill.csv.zip'}` });
      response.end(zip);
      return;
    }
    const payPath = /^\/__fake\/pay\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'POST' && payPath) {
      if (!isLoopback(request.socket.remoteAddress)) return send(403, 'text/plain', 'loopback only');
      const outTradeNo = decodeURIComponent(payPath[1]!);
      if (!orders.has(outTradeNo)) return send(404, 'application/json', JSON.stringify({ error: `no order ${outTradeNo}` }));
      const status = await pay(outTradeNo);
      const last = notifications.at(-1)!;
      return send(200, 'application/json', JSON.stringify({ outTradeNo, answerStatus: status, answerBody: last.answerBody }));
    }
    send(404, 'text/plain', 'not found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const gatewayUrl = `http://127.0.0.1:${port}/gateway.do`;
  baseUrl = `http://127.0.0.1:${port}`;
  // The signing scene the campus's 商户代扣 contract would carry: with it, the channel offers automatic reload.
  config = { appId, sellerId, appPrivateKeyPem: appKeys.privateKeyPem, alipayPublicKeyPem: alipayKeys.publicKeyPem, gatewayUrl, agreementSignScene: 'INDUSTRY|CAMPUS_CARD' };

  return {
    gatewayUrl,
    config,
    pay,
    renotify,
    refunds: () => refunds.map((refund) => ({ ...refund })),
    tamperBills(tamper) {
      billTamper = tamper;
    },
    billRequests: () => billRequests,
    setDown(value) {
      down = value;
    },
    codeBehaviour(authCode, behaviour) {
      codeBehaviours.set(authCode, behaviour);
    },
    codeTrades: () => [...codeTrades.values()].map((trade) => ({ ...trade })),
    signNotification: (fields) => signFormFields(fields, alipayKeys.privateKeyPem),
    signAnswersWith(privateKeyPem) {
      answerKeyPem = privateKeyPem ?? alipayKeys.privateKeyPem;
    },
    issueAuthCode(userId) {
      const code = `${randomUUID().replaceAll('-', '')}`;
      authCodes.set(code, userId);
      return code;
    },
    templateIds,
    templateMessages,
    refuseTemplateMessages(userId) {
      refusedUsers.add(userId);
    },
    requests,
    notifications,
    signAgreement,
    unsignAgreement,
    deductBehaviour(behaviour) {
      deductAs = behaviour;
    },
    deductCalls: () => deductCount,
    agreements: () => [...agreements.values()].map((agreement) => ({ ...agreement, notifyIds: { ...agreement.notifyIds } })),
    agreementNotifications,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
