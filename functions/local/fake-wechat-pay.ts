/**
 * A fake WeChat Pay platform on 127.0.0.1 with real cryptography, for the local demo and tests.
 * It makes a merchant (RSA key, self-signed API certificate, APIv3 key, appid, mchid) and a platform
 * key per run, refuses requests whose merchant signature does not verify (401, as WeChat does), signs
 * every answer with the platform key, and pays orders by posting encrypted, signed notifications to
 * their notify_url exactly as WeChat does. Nothing here talks to anything but this machine.
 */
import { createCipheriv, createSign, generateKeyPairSync, randomBytes, randomInt, randomUUID, verify as rsaVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatYuan } from '../../shared/money';
import { beijingRfc3339, parseJson, WECHAT_PAY_ORIGIN, type WechatPayConfig } from '../payments/wechat';
import { wechatBillHash, WECHAT_BILL_DETAIL_HEADER, WECHAT_BILL_SUMMARY_HEADER } from '../payments/wechat-bill';
import { applyBillTamper, beijingBillTime, type FakeBillLine, type FakeBillTamper } from './fake-bills';

export interface FakeWechatPayOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Serve this merchant instead of making one (e.g. to play a second, impostor platform for it). */
  merchant?: WechatPayConfig;
  /** The serial the platform key claims; default a fresh PUB_KEY_ID_…. Another fake's serial makes an impostor. */
  platformSerial?: string;
}

/** REFUND (转入退款): paid, and (part of) it refunded since. */
export type FakeTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

/** A refund as the fake holds it: PROCESSING when made, SUCCESS from the next time it is asked about. */
export interface FakeWechatRefund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  amountFen: number;
  /** What the payment was. */
  paidFen: number;
  reason?: string;
  status: 'PROCESSING' | 'SUCCESS';
  createTime: string;
  successTime?: string;
}

/**
 * What the payer does with a payment code (付款码) the fake is shown: pay at once (`takenFen`: the
 * platform takes another amount than asked, a platform that disagrees with us); be refused (e.g.
 * NOTENOUGH, insufficient funds); type a password and be paid after `paidAfterQueries` queries
 * (never, if undefined: the merchant reverses it); or pay at once with the answer to the first pay call lost on its way.
 */
export type FakeCodeBehaviour = { kind: 'paid'; takenFen?: number } | { kind: 'refused'; code?: string } | { kind: 'password'; paidAfterQueries?: number } | { kind: 'lost' };

/** A 付款码支付 order as the fake holds it. REVOKED: reversed (closed unpaid, or paid and given back). */
export interface FakeWechatCodeOrder {
  outTradeNo: string;
  authCode: string;
  amountFen: number;
  /** What the payer was charged (amountFen unless the behaviour says otherwise). */
  takenFen: number;
  description: string;
  tradeState: 'USERPAYING' | 'SUCCESS' | 'PAYERROR' | 'REVOKED';
  /** POST /v3/pay/transactions/codepay calls for this order (a repeat charges nothing). */
  payCalls: number;
  queries: number;
  reversed: boolean;
  /** It had been paid when it was reversed: the money went back to the payer. */
  refundedByReverse: boolean;
  transactionId?: string;
  successTime?: string;
  payerOpenId: string;
}

/** An order as the fake platform holds it. */
/** A papay contract (委托代扣): pre-signed (SIGNING), signed (ADDED) or ended (TERMINATED). */
export interface FakeWechatContract {
  outContractCode: string;
  planId: string;
  displayAccount: string;
  notifyUrl: string;
  preEntrustwebId: string;
  state: 'SIGNING' | 'ADDED' | 'TERMINATED';
  contractId?: string;
  openid?: string;
  operateTime?: string;
  /** One id per state notified: a redelivery keeps it. */
  notificationIds: Record<string, string>;
}

export interface FakeWechatPayOrder {
  outTradeNo: string;
  appId: string;
  mchId: string;
  description: string;
  notifyUrl: string;
  amountFen: number;
  payerOpenId: string;
  prepayId: string;
  tradeState: FakeTradeState;
  timeExpire?: string;
  transactionId?: string;
  successTime?: string;
  /** The id of its TRANSACTION.SUCCESS notification: the same on every redelivery, as WeChat's retries are. */
  notificationId?: string;
  notificationCreateTime?: string;
}

/**
 * Ways to spoil a notification for tests. body-after-signing changes the body once signed; the others
 * are done before signing, so the signature is good and only decryption can catch them.
 */
export type NotificationTamper = 'body-after-signing' | 'amount-in-ciphertext' | 'auth-tag' | 'associated-data' | 'nonce';

export interface NotificationOptions {
  /** Seconds since the epoch for Wechatpay-Timestamp; default now. */
  timestamp?: number;
  /** Wechatpay-Serial; default the platform key's serial (the key that signs is always the platform's). */
  serial?: string;
  tamper?: NotificationTamper;
  /** The notification's id; default a fresh UUID. */
  id?: string;
  createTime?: string;
  /** event_type; default TRANSACTION.SUCCESS (REFUND.SUCCESS with a refund resource, for tests of what we do not ask for). */
  eventType?: string;
}

/** What our notify_url answered one delivery, and how long it took (WeChat waits 5 s at most). */
export interface FakeNotifyAnswer {
  status: number;
  body: string;
  ms: number;
}

/** How renotify delivers: `times` deliveries (default 1), all at once, or one after another `delayMs` apart. */
export interface RenotifyOptions {
  times?: number;
  delayMs?: number;
  /** WeChat's clock for Wechatpay-Timestamp (a test that moved our clock moves WeChat's with it); default now. */
  at?: Date;
  /**
   * Out of order: a TRANSACTION notification telling of this trade state (e.g. CLOSED before the
   * payment's) under an id of its own, instead of the payment's notification.
   */
  tradeState?: FakeTradeState;
}

/** What WeChat posts: lower-case headers and the body exactly as sent. */
export interface SignedNotification {
  headers: Record<string, string>;
  rawBody: string;
}

export interface FakeWechatPay {
  baseUrl: string;
  /** A complete merchant configuration pointing at this fake. */
  config: WechatPayConfig;
  platformSerial: string;
  /** A copy of every order it holds. */
  orders(): FakeWechatPayOrder[];
  /** A copy of every refund it made, oldest first. */
  refunds(): FakeWechatRefund[];
  /** How the payer behind this payment code will act (default: pays at once). */
  codeBehaviour(authCode: string, behaviour: FakeCodeBehaviour): void;
  /** A copy of every 付款码支付 order, oldest first. */
  codeOrders(): FakeWechatCodeOrder[];
  /** While down, every gateway call is answered 500 SYSTEM_ERROR (signed), as during an outage. */
  setDown(down: boolean): void;
  /**
   * The payer pays: the order becomes SUCCESS and its notification is posted to its notify_url.
   * Paying a paid order delivers the same notification again (a WeChat retry). Resolves to the
   * HTTP status the notify_url answered. `amountFen` makes the platform take another amount than
   * ordered (a platform that disagrees with us, for tests); `notify: false` takes the payment but
   * its notification never reaches us (resolves to 0).
   */
  pay(outTradeNo: string, options?: { payerOpenId?: string; amountFen?: number; notify?: boolean }): Promise<number>;
  /**
   * Storms: delivers the order's payment notification again (the same id and create_time, signed
   * anew at `at`, as WeChat's retries are), or one telling of `tradeState`; every answer in order.
   */
  renotify(outTradeNo: string, options?: RenotifyOptions): Promise<FakeNotifyAnswer[]>;
  /**
   * Spoils the trade bills served from now on (undefined: true bills again). `wrongHash` answers a
   * hash_value that is not the file's (a file changed on its way); `downloadUrl` answers that URL.
   */
  tamperBills(tamper: (FakeBillTamper & { wrongHash?: boolean; downloadUrl?: string }) | undefined): void;
  /** How many trade bills were asked for (GET /v3/bill/tradebill). */
  billRequests(): number;
  /** A notification about `resource` (a transaction object), encrypted and signed as WeChat does. */
  signNotification(resource: object, options?: NotificationOptions): SignedNotification;
  /** Wechatpay-* headers for any body, signed by the platform key (for notifications that are not JSON). */
  signBody(rawBody: string, options?: Pick<NotificationOptions, 'timestamp' | 'serial'>): Record<string, string>;
  /** 委托代扣 (papay): a copy of every contract, by pre-sign order. */
  contracts(): FakeWechatContract[];
  /**
   * The payer signs in WeChat Pay's signing mini-program: the contract becomes ADDED and PAPAY.SIGN is
   * posted to its notify_url (again on a second call, the same notification id). Resolves to the HTTP status answered.
   */
  signContract(outContractCode: string, options?: { openid?: string; notify?: boolean }): Promise<number>;
  /** The payer (or WeChat) ends the contract in WeChat: TERMINATED, and PAPAY.TERMINATE posted to its notify_url. */
  terminateContract(outContractCode: string): Promise<number>;
  /** How 申请扣款 answers from now on: pay (accepted, then paid and notified), refuse (403 NOTENOUGH), hold (accepted, left NOTPAY). */
  deductBehaviour(behaviour: 'pay' | 'refuse' | 'hold'): void;
  /** How many 申请扣款 calls were made. */
  deductCalls(): number;
  close(): Promise<void>;
}

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

interface Merchant {
  appId: string;
  mchId: string;
  certSerial: string;
  publicKey: KeyObject;
  apiV3Key: string;
}

export async function startFakeWechatPay(options: FakeWechatPayOptions = {}): Promise<FakeWechatPay> {
  const host = options.host ?? '127.0.0.1';
  const merchantConfig = options.merchant ?? makeMerchant();
  const merchant: Merchant = {
    appId: merchantConfig.appId,
    mchId: merchantConfig.mchId,
    certSerial: merchantConfig.merchantCertSerial,
    publicKey: new X509Certificate(merchantConfig.merchantCertificatePem).publicKey,
    apiV3Key: merchantConfig.apiV3Key,
  };
  // Registered with merchants as a plain public key under a PUB_KEY_ID_… serial, as WeChat now does.
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platformSerial = options.platformSerial ?? `PUB_KEY_ID_01${merchant.mchId}${digits(16)}`;
  const orders = new Map<string, FakeWechatPayOrder>();
  const refunds = new Map<string, FakeWechatRefund>();
  const codeOrders = new Map<string, FakeWechatCodeOrder>();
  const codeBehaviours = new Map<string, FakeCodeBehaviour>();
  let down = false;
  const contracts = new Map<string, FakeWechatContract>();
  let deductAs: 'pay' | 'refuse' | 'hold' = 'pay';
  let deductCount = 0;
  let billTamper: (FakeBillTamper & { wrongHash?: boolean; downloadUrl?: string }) | undefined;
  let billRequests = 0;
  /** Bill files by download token. */
  const billFiles = new Map<string, Buffer>();

  /** `timestamp\nnonce\nbody\n` signed with the platform key: the wechatpay-* headers of answers and notifications. */
  const signBody = (rawBody: string, signing: Pick<NotificationOptions, 'timestamp' | 'serial'> = {}): Record<string, string> => {
    const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${rawBody}\n`).sign(platform.privateKey, 'base64');
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': signing.serial ?? platformSerial,
      'wechatpay-signature-type': SIGNATURE_TYPE,
    };
  };

  /** Delivers a signed notification as WeChat Pay's servers do (their user agent, a 10 s wait): the merchant's status and answer. */
  const postNotification = async (url: string, notification: SignedNotification): Promise<{ status: number; body: string }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...notification.headers, 'content-type': 'application/json', 'user-agent': 'Mozilla/4.0' },
      body: notification.rawBody,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text() };
  };

  const signNotification = (resource: object, notification: NotificationOptions = {}): SignedNotification => {
    const plaintext = JSON.stringify(resource);
    const nonce = alphanumeric(12);
    const associatedData = 'transaction';
    const sealed = seal(merchant.apiV3Key, nonce, associatedData, plaintext);
    if (notification.tamper === 'amount-in-ciphertext') {
      // GCM is a stream cipher underneath: flipping a ciphertext bit flips the same plaintext bit, so
      // this turns one digit of amount.total into another. Only the tag can tell.
      const at = Buffer.from(plaintext, 'utf8').indexOf('"total":'); // a byte offset: the plaintext has Chinese in it
      if (at < 0) throw new Error('the resource has no amount.total to tamper with');
      const digit = at + '"total":'.length;
      sealed[digit]! ^= 0x01;
    }
    if (notification.tamper === 'auth-tag') sealed[sealed.length - 1]! ^= 0x01;
    const body = {
      id: notification.id ?? randomUUID(),
      create_time: notification.createTime ?? beijingRfc3339(new Date()),
      resource_type: 'encrypt-resource',
      event_type: notification.eventType ?? 'TRANSACTION.SUCCESS',
      summary: notification.eventType?.startsWith('REFUND.') ? '退款成功' : '支付成功',
      resource: {
        original_type: notification.eventType?.startsWith('REFUND.') ? 'refund' : notification.eventType?.startsWith('PAPAY.') ? 'contract' : 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: sealed.toString('base64'),
        associated_data: notification.tamper === 'associated-data' ? 'transaction_forged' : associatedData,
        nonce: notification.tamper === 'nonce' ? alphanumeric(12) : nonce,
      },
    };
    const rawBody = JSON.stringify(body);
    const headers = signBody(rawBody, notification);
    return { headers, rawBody: notification.tamper === 'body-after-signing' ? rawBody.replace(`"id":"${body.id}"`, `"id":"${body.id}-replayed"`) : rawBody };
  };

  const pay = async (outTradeNo: string, payment: { payerOpenId?: string; amountFen?: number; notify?: boolean } = {}): Promise<number> => {
    const order = orders.get(outTradeNo);
    if (!order) throw new FakeRefusal(404, 'ORDER_NOT_EXIST', `no order ${outTradeNo}`);
    if (order.tradeState === 'CLOSED') throw new FakeRefusal(400, 'ORDER_CLOSED', `order ${outTradeNo} is closed`);
    if (order.tradeState === 'NOTPAY') {
      if (order.timeExpire !== undefined && Date.parse(order.timeExpire) < Date.now()) throw new FakeRefusal(400, 'ORDER_CLOSED', `order ${outTradeNo} expired at ${order.timeExpire}`);
      const now = new Date();
      Object.assign(order, {
        tradeState: 'SUCCESS',
        payerOpenId: payment.payerOpenId ?? order.payerOpenId,
        amountFen: payment.amountFen ?? order.amountFen,
        transactionId: `4200${digits(24)}`,
        successTime: beijingRfc3339(now),
        notificationId: randomUUID(),
        notificationCreateTime: beijingRfc3339(now),
      } satisfies Partial<FakeWechatPayOrder>);
    }
    if (payment.notify === false) return 0;
    // A retry is the same notification: the payment as it was, even if it has been refunded since.
    const notification = signNotification(transactionOf({ ...order, tradeState: 'SUCCESS' }), { id: order.notificationId!, createTime: order.notificationCreateTime! });
    return (await postNotification(order.notifyUrl, notification)).status;
  };

  /** Ids of the out-of-order notifications made so far, one per order and trade state (a redelivery keeps its id). */
  const otherNotificationIds = new Map<string, string>();
  const renotify = async (outTradeNo: string, delivery: RenotifyOptions = {}): Promise<FakeNotifyAnswer[]> => {
    const order = orders.get(outTradeNo);
    if (!order) throw new FakeRefusal(404, 'ORDER_NOT_EXIST', `no order ${outTradeNo}`);
    const timestamp = Math.floor((delivery.at ?? new Date()).getTime() / 1000);
    const deliverOnce = async (): Promise<FakeNotifyAnswer> => {
      let notification: SignedNotification;
      if (delivery.tradeState === undefined) {
        if (!order.notificationId) throw new Error(`fake WeChat Pay: order ${outTradeNo} has no payment to notify of`);
        notification = signNotification(transactionOf({ ...order, tradeState: 'SUCCESS' }), { id: order.notificationId, createTime: order.notificationCreateTime!, timestamp });
      } else {
        const key = `${outTradeNo}#${delivery.tradeState}`;
        if (!otherNotificationIds.has(key)) otherNotificationIds.set(key, randomUUID());
        notification = signNotification(transactionOf({ ...order, tradeState: delivery.tradeState }), { id: otherNotificationIds.get(key)!, timestamp });
      }
      const started = performance.now();
      const { status, body } = await postNotification(order.notifyUrl, notification);
      return { status, body, ms: performance.now() - started };
    };
    const times = delivery.times ?? 1;
    if (!delivery.delayMs) return Promise.all(Array.from({ length: times }, deliverOnce));
    const answers: FakeNotifyAnswer[] = [];
    for (let i = 0; i < times; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, delivery.delayMs));
      answers.push(await deliverOnce());
    }
    return answers;
  };

  const contractView = (contract: FakeWechatContract): object => ({
    mchid: merchant.mchId,
    appid: merchant.appId,
    plan_id: contract.planId,
    out_contract_code: contract.outContractCode,
    contract_id: contract.contractId ?? '',
    contract_state: contract.state,
    contract_display_account: contract.displayAccount,
    ...(contract.openid ? { openid: contract.openid } : {}),
    ...(contract.operateTime ? { operate_time: contract.operateTime } : {}),
  });

  const notifyContract = async (contract: FakeWechatContract, eventType: 'PAPAY.SIGN' | 'PAPAY.TERMINATE'): Promise<number> => {
    contract.notificationIds[eventType] ??= randomUUID();
    const notification = signNotification(contractView(contract), { id: contract.notificationIds[eventType], eventType });
    return (await postNotification(contract.notifyUrl, notification)).status;
  };

  const signContract = async (outContractCode: string, signing: { openid?: string; notify?: boolean } = {}): Promise<number> => {
    const contract = contracts.get(outContractCode);
    if (!contract) throw new FakeRefusal(404, 'CONTRACT_NOT_EXIST', `no pre-signed contract ${outContractCode}`);
    if (contract.state === 'TERMINATED') throw new FakeRefusal(400, 'CONTRACT_TERMINATED', '签约已解除');
    if (contract.state === 'SIGNING') {
      Object.assign(contract, { state: 'ADDED', contractId: `2026${digits(20)}`, openid: signing.openid ?? `o-papay-${alphanumeric(12)}`, operateTime: beijingRfc3339(new Date()) } satisfies Partial<FakeWechatContract>);
    }
    return signing.notify === false ? 0 : notifyContract(contract, 'PAPAY.SIGN');
  };

  const terminateContract = async (outContractCode: string): Promise<number> => {
    const contract = contracts.get(outContractCode);
    if (!contract || contract.state !== 'ADDED') throw new FakeRefusal(400, 'CONTRACT_NOT_EXIST', `no signed contract ${outContractCode}`);
    Object.assign(contract, { state: 'TERMINATED', operateTime: beijingRfc3339(new Date()) } satisfies Partial<FakeWechatContract>);
    return notifyContract(contract, 'PAPAY.TERMINATE');
  };

  /** The papay endpoints; undefined when the request is not one of them. */
  const papay = (method: string, url: URL, body: string): { status: number; body?: object } | undefined => {
    if (url.pathname === '/v3/papay/sign/contracts/pre-entrust-sign/mini-program' && method === 'POST') {
      const input = (parseJson(body) ?? {}) as Record<string, unknown>;
      if (input.appid !== merchant.appId || input.mchid !== merchant.mchId) throw new FakeRefusal(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
      const code = input.out_contract_code;
      if (typeof code !== 'string' || !/^[0-9A-Za-z_-]{1,32}$/.test(code) || typeof input.plan_id !== 'string' || typeof input.notify_url !== 'string' || typeof input.contract_display_account !== 'string') {
        throw new FakeRefusal(400, 'PARAM_ERROR', 'out_contract_code, plan_id, notify_url, contract_display_account');
      }
      const existing = contracts.get(code);
      if (existing && existing.state !== 'SIGNING') throw new FakeRefusal(400, 'CONTRACT_EXIST', '该签约协议号已签约');
      const contract = existing ?? { outContractCode: code, planId: input.plan_id, displayAccount: input.contract_display_account, notifyUrl: input.notify_url, preEntrustwebId: `pre${alphanumeric(24)}`, state: 'SIGNING' as const, notificationIds: {} };
      contracts.set(code, contract);
      return { status: 200, body: { pre_entrustweb_id: contract.preEntrustwebId } };
    }
    const query = /^\/v3\/papay\/sign\/contracts\/plan-id\/([^/]+)\/out-contract-code\/([^/]+)$/.exec(url.pathname);
    if (query && method === 'GET') {
      const contract = contracts.get(decodeURIComponent(query[2]!));
      if (!contract || contract.state === 'SIGNING' || contract.planId !== decodeURIComponent(query[1]!)) throw new FakeRefusal(404, 'CONTRACT_NOT_EXIST', '签约协议不存在');
      return { status: 200, body: contractView(contract) };
    }
    const terminate = /^\/v3\/papay\/sign\/contracts\/([^/]+)\/terminate$/.exec(url.pathname);
    if (terminate && method === 'POST') {
      const contract = [...contracts.values()].find((c) => c.contractId === decodeURIComponent(terminate[1]!));
      if (!contract) throw new FakeRefusal(404, 'CONTRACT_NOT_EXIST', '签约协议不存在');
      if (contract.state === 'TERMINATED') throw new FakeRefusal(400, 'CONTRACT_TERMINATED', '签约已解除');
      // Ended by the merchant's call: WeChat answers it, and sends no notification to the merchant that asked.
      Object.assign(contract, { state: 'TERMINATED', operateTime: beijingRfc3339(new Date()) } satisfies Partial<FakeWechatContract>);
      return { status: 204 };
    }
    if (url.pathname === '/v3/papay/pay/transactions/apply' && method === 'POST') {
      deductCount++;
      const input = (parseJson(body) ?? {}) as { contract_id?: unknown; out_trade_no?: unknown };
      const contract = [...contracts.values()].find((c) => c.contractId !== undefined && c.contractId === input.contract_id);
      if (!contract || contract.state !== 'ADDED') throw new FakeRefusal(403, 'CONTRACT_NOT_EXIST', '签约协议不存在或已解约');
      if (deductAs === 'refuse') throw new FakeRefusal(403, 'NOTENOUGH', '用户账户余额不足');
      const existing = typeof input.out_trade_no === 'string' ? orders.get(input.out_trade_no) : undefined;
      if (existing) return { status: 204 };
      // Kept as an order like any other: queried, paid and notified (TRANSACTION.SUCCESS) the same way.
      const order = createOrder(orders, merchant, { ...(input as object), payer: { openid: contract.openid } });
      if (deductAs === 'pay') setImmediate(() => void pay(order.outTradeNo).catch(() => undefined));
      return { status: 204 };
    }
    return undefined;
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) answer(response, 500, { code: 'SYSTEM_ERROR', message: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    });
  });

  /** Every answer is signed by the platform key, errors too, as WeChat signs them. */
  const answer = (response: ServerResponse, status: number, body?: object): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      ...signBody(text),
      'request-id': randomUUID(),
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const target = request.url ?? '/';
    const url = new URL(target, 'http://fake');
    const method = request.method ?? 'GET';
    try {
      const control = /^\/__fake\/pay\/([^/]+)$/.exec(url.pathname);
      if (control && method === 'POST') {
        // A button for the local demo, standing in for the payer; it answers only this machine.
        if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) throw new FakeRefusal(403, 'FORBIDDEN', 'loopback only');
        const options = (parseJson(body) ?? {}) as { payerOpenId?: unknown };
        const notifyStatus = await pay(decodeURIComponent(control[1]!), typeof options.payerOpenId === 'string' ? { payerOpenId: options.payerOpenId } : {});
        return answer(response, 200, { notifyStatus });
      }

      const signControl = /^\/__fake\/papay\/sign\/([^/]+)$/.exec(url.pathname);
      if (signControl && method === 'POST') {
        // The local demo's stand-in for the payer signing in WeChat Pay's signing mini-program; this machine only.
        if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) throw new FakeRefusal(403, 'FORBIDDEN', 'loopback only');
        return answer(response, 200, { notifyStatus: await signContract(decodeURIComponent(signControl[1]!)) });
      }

      const problem = authorizationProblem(request.headers.authorization, method, target, body, merchant);
      if (problem) throw new FakeRefusal(401, 'SIGN_ERROR', `签名错误: ${problem}`);

      if (down) throw new FakeRefusal(500, 'SYSTEM_ERROR', '系统异常，请稍后重试');

      const papayAnswer = papay(method, url, body);
      if (papayAnswer) return answer(response, papayAnswer.status, papayAnswer.body);
      if (url.pathname === '/v3/pay/transactions/jsapi' && method === 'POST') {
        const order = createOrder(orders, merchant, parseJson(body));
        return answer(response, 200, { prepay_id: order.prepayId });
      }
      if (url.pathname === '/v3/pay/transactions/codepay' && method === 'POST') {
        const outcome = codePay(codeOrders, codeBehaviours, merchant, parseJson(body));
        // The payment is taken, and the answer never arrives (a dropped connection).
        if (outcome.lost) {
          request.socket.destroy();
          return;
        }
        return outcome.order.tradeState === 'USERPAYING'
          ? answer(response, 202, { code: 'USERPAYING', message: '用户支付中，需要输入密码' })
          : answer(response, 200, codeTransactionOf(merchant, outcome.order));
      }
      const reversePath = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/reverse$/.exec(url.pathname);
      if (reversePath && method === 'POST') {
        const { mchid, appid } = (parseJson(body) ?? {}) as { mchid?: unknown; appid?: unknown };
        if (mchid !== merchant.mchId || appid !== merchant.appId) throw new FakeRefusal(400, 'PARAM_ERROR', 'appid/mchid 与请求商户不一致');
        const outTradeNo = decodeURIComponent(reversePath[1]!);
        if (orders.has(outTradeNo)) throw new FakeRefusal(400, 'INVALID_REQUEST', '仅付款码支付订单可撤销');
        const order = codeOrders.get(outTradeNo);
        if (!order) {
          // Barred: a codepay arriving later under this number is refused, so nothing can be taken after the reverse.
          codeOrders.set(outTradeNo, { outTradeNo, authCode: '', amountFen: 0, takenFen: 0, description: '', tradeState: 'REVOKED', payCalls: 0, queries: 0, reversed: true, refundedByReverse: false, payerOpenId: '' });
          throw new FakeRefusal(404, 'ORDER_NOT_EXIST', '订单不存在');
        }
        order.refundedByReverse ||= order.tradeState === 'SUCCESS';
        Object.assign(order, { tradeState: 'REVOKED', reversed: true } satisfies Partial<FakeWechatCodeOrder>);
        return answer(response, 200, { appid: merchant.appId, mchid: merchant.mchId, out_trade_no: outTradeNo });
      }
      const codeQuery = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(url.pathname);
      const codeOrder = codeQuery && method === 'GET' ? codeOrders.get(decodeURIComponent(codeQuery[1]!)) : undefined;
      if (codeOrder && codeOrder.authCode !== '') {
        if (url.searchParams.get('mchid') !== merchant.mchId) throw new FakeRefusal(400, 'PARAM_ERROR', 'mchid 与请求商户不一致');
        codeOrder.queries++;
        const behaviour = codeBehaviours.get(codeOrder.authCode);
        // The payer finishes typing the password after this many queries (never, without a number).
        if (codeOrder.tradeState === 'USERPAYING' && behaviour?.kind === 'password' && behaviour.paidAfterQueries !== undefined && codeOrder.queries >= behaviour.paidAfterQueries) {
          takeCodePayment(codeOrder);
        }
        return answer(response, 200, codeTransactionOf(merchant, codeOrder));
      }
      const byOrderId = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(url.pathname);
      if (byOrderId && !byOrderId[2] && method === 'GET') {
        if (url.searchParams.get('mchid') !== merchant.mchId) throw new FakeRefusal(400, 'PARAM_ERROR', 'mchid 与请求商户不一致');
        const order = orders.get(decodeURIComponent(byOrderId[1]!));
        if (!order) throw new FakeRefusal(404, 'ORDER_NOT_EXIST', '订单不存在');
        return answer(response, 200, transactionOf(order));
      }
      if (byOrderId && byOrderId[2] && method === 'POST') {
        const { mchid } = (parseJson(body) ?? {}) as { mchid?: unknown };
        if (mchid !== merchant.mchId) throw new FakeRefusal(400, 'PARAM_ERROR', 'mchid 与请求商户不一致');
        const order = orders.get(decodeURIComponent(byOrderId[1]!));
        if (!order) throw new FakeRefusal(404, 'ORDER_NOT_EXIST', '订单不存在');
        if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND') throw new FakeRefusal(400, 'ORDERPAID', '该订单已支付');
        order.tradeState = 'CLOSED';
        return answer(response, 204);
      }
      if (url.pathname === '/v3/bill/tradebill' && method === 'GET') {
        const day = url.searchParams.get('bill_date') ?? '';
        const type = url.searchParams.get('bill_type') ?? 'ALL';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new FakeRefusal(400, 'PARAM_ERROR', 'bill_date 格式应为 yyyy-MM-DD');
        if (type !== 'ALL' && type !== 'SUCCESS' && type !== 'REFUND') throw new FakeRefusal(400, 'PARAM_ERROR', 'bill_type');
        billRequests++;
        const file = tradeBill(merchant, day, type, orders, refunds, billTamper ?? {}, codeOrders);
        const token = randomBytes(24).toString('base64url');
        billFiles.set(token, file);
        const hash = wechatBillHash(billTamper?.wrongHash ? Buffer.concat([file, Buffer.from('\n')]) : file);
        // The origin WeChat names; the merchant's own HTTP layer sends it to its configured gateway.
        return answer(response, 200, { hash_type: 'SHA1', hash_value: hash, download_url: billTamper?.downloadUrl ?? `${WECHAT_PAY_ORIGIN}/v3/billdownload/file?token=${token}` });
      }
      if (url.pathname === '/v3/billdownload/file' && method === 'GET') {
        const file = billFiles.get(url.searchParams.get('token') ?? '');
        if (!file) throw new FakeRefusal(404, 'RESOURCE_NOT_EXISTS', '账单文件不存在或已过期');
        // The file itself: no JSON. The hash_value of the tradebill answer is what vouches for it.
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'request-id': randomUUID() });
        response.end(file);
        return;
      }
      if (url.pathname === '/v3/refund/domestic/refunds' && method === 'POST') {
        return answer(response, 200, refundView(createRefund(orders, refunds, parseJson(body))));
      }
      const refundPath = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(url.pathname);
      if (refundPath && method === 'GET') {
        const refund = refunds.get(decodeURIComponent(refundPath[1]!));
        if (!refund) throw new FakeRefusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
        // WeChat takes a while; the fake has finished by the time anyone asks again.
        if (refund.status === 'PROCESSING') Object.assign(refund, { status: 'SUCCESS', successTime: beijingRfc3339(new Date()) } satisfies Partial<FakeWechatRefund>);
        return answer(response, 200, refundView(refund));
      }
      throw new FakeRefusal(404, 'NOT_FOUND', `${method} ${url.pathname}`);
    } catch (error) {
      if (error instanceof FakeRefusal) return answer(response, error.status, { code: error.code, message: error.message });
      throw error;
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host}:${port}`;

  return {
    baseUrl,
    config: {
      ...merchantConfig,
      platformCertificates: { [platformSerial]: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      gatewayBaseUrl: baseUrl,
      // 委托代扣: a deduction plan this merchant has (the merchant platform makes one per product).
      papayPlanId: merchantConfig.papayPlanId ?? '12535',
    },
    platformSerial,
    orders: () => [...orders.values()].map((order) => ({ ...order })),
    refunds: () => [...refunds.values()].map((refund) => ({ ...refund })),
    codeBehaviour(authCode, behaviour) {
      codeBehaviours.set(authCode, behaviour);
    },
    codeOrders: () => [...codeOrders.values()].map((order) => ({ ...order })),
    setDown(value) {
      down = value;
    },
    pay,
    renotify,
    tamperBills(tamper) {
      billTamper = tamper;
    },
    billRequests: () => billRequests,
    signNotification,
    signBody,
    contracts: () => [...contracts.values()].map((contract) => ({ ...contract, notificationIds: { ...contract.notificationIds } })),
    signContract,
    terminateContract,
    deductBehaviour(behaviour) {
      deductAs = behaviour;
    },
    deductCalls: () => deductCount,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A refusal the fake answers as WeChat would: HTTP status and {code, message}. */
class FakeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Why the merchant's Authorization header does not hold, if it does not: WECHATPAY2-SHA256-RSA2048
 * mchid, nonce_str, timestamp, serial_no, signature over `METHOD\npath?query\ntimestamp\nnonce\nbody\n`.
 */
function authorizationProblem(header: string | undefined, method: string, pathAndQuery: string, body: string, merchant: Merchant): string | undefined {
  if (!header?.startsWith(`${SIGNATURE_TYPE} `)) return 'no WECHATPAY2-SHA256-RSA2048 Authorization';
  const fields = Object.fromEntries([...header.slice(SIGNATURE_TYPE.length + 1).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const { mchid, nonce_str: nonce, timestamp, serial_no: serial, signature } = fields;
  if (!mchid || !nonce || !timestamp || !serial || !signature) return 'incomplete Authorization';
  if (mchid !== merchant.mchId) return `unknown mchid ${mchid}`;
  if (serial.toUpperCase() !== merchant.certSerial.toUpperCase()) return `serial_no ${serial} is not the merchant certificate`;
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 'timestamp out of window';
  const message = `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
  return rsaVerify('RSA-SHA256', Buffer.from(message, 'utf8'), merchant.publicKey, Buffer.from(signature, 'base64')) ? undefined : 'signature does not verify';
}

/** POST /v3/pay/transactions/jsapi: a new NOTPAY order, or the same prepay_id for the same order again. */
function createOrder(orders: Map<string, FakeWechatPayOrder>, merchant: Merchant, input: unknown): FakeWechatPayOrder {
  const request = (input ?? {}) as {
    appid?: unknown;
    mchid?: unknown;
    description?: unknown;
    out_trade_no?: unknown;
    notify_url?: unknown;
    time_expire?: unknown;
    amount?: { total?: unknown; currency?: unknown };
    payer?: { openid?: unknown };
  };
  const { appid, mchid, description, out_trade_no: outTradeNo, notify_url: notifyUrl, time_expire: timeExpire } = request;
  const total = request.amount?.total;
  const openid = request.payer?.openid;
  if (appid !== merchant.appId || mchid !== merchant.mchId) throw new FakeRefusal(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  if (typeof description !== 'string' || description === '' || Buffer.byteLength(description) > 127) throw new FakeRefusal(400, 'PARAM_ERROR', 'description');
  if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(outTradeNo)) throw new FakeRefusal(400, 'PARAM_ERROR', 'out_trade_no');
  if (typeof notifyUrl !== 'string' || !/^https?:\/\/[^?#]+$/.test(notifyUrl)) throw new FakeRefusal(400, 'PARAM_ERROR', 'notify_url 必须是不带参数的 URL');
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 1) throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.total');
  if (request.amount?.currency !== undefined && request.amount.currency !== 'CNY') throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.currency');
  if (typeof openid !== 'string' || openid === '') throw new FakeRefusal(400, 'PARAM_ERROR', 'payer.openid');
  if (timeExpire !== undefined && (typeof timeExpire !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)$/.test(timeExpire))) {
    throw new FakeRefusal(400, 'PARAM_ERROR', 'time_expire 必须是 RFC 3339 格式');
  }

  const existing = orders.get(outTradeNo);
  if (existing) {
    if (existing.tradeState === 'SUCCESS') throw new FakeRefusal(400, 'ORDERPAID', '该订单已支付');
    if (existing.tradeState === 'CLOSED') throw new FakeRefusal(400, 'ORDER_CLOSED', '订单已关闭');
    const same = existing.amountFen === total && existing.payerOpenId === openid && existing.description === description && existing.notifyUrl === notifyUrl;
    if (!same) throw new FakeRefusal(400, 'INVALID_REQUEST', '201 商户订单号重复');
    return existing;
  }
  const order: FakeWechatPayOrder = {
    outTradeNo,
    appId: appid,
    mchId: mchid,
    description,
    notifyUrl,
    amountFen: total,
    payerOpenId: openid,
    prepayId: `wx${Date.now()}${randomBytes(8).toString('hex')}`,
    tradeState: 'NOTPAY',
    ...(typeof timeExpire === 'string' ? { timeExpire } : {}),
  };
  orders.set(outTradeNo, order);
  return order;
}

/**
 * POST /v3/pay/transactions/codepay (付款码支付): a new order as the payer's behaviour says, or, for
 * an order number it has seen with the same code and amount, that order as it stands (charged once).
 */
function codePay(
  codeOrders: Map<string, FakeWechatCodeOrder>,
  behaviours: Map<string, FakeCodeBehaviour>,
  merchant: Merchant,
  input: unknown,
): { order: FakeWechatCodeOrder; lost: boolean } {
  const request = (input ?? {}) as { appid?: unknown; mchid?: unknown; description?: unknown; out_trade_no?: unknown; payer?: { auth_code?: unknown }; amount?: { total?: unknown; currency?: unknown }; scene_info?: { store_info?: { out_id?: unknown } } };
  const { appid, mchid, description, out_trade_no: outTradeNo } = request;
  const authCode = request.payer?.auth_code;
  const total = request.amount?.total;
  if (appid !== merchant.appId || mchid !== merchant.mchId) throw new FakeRefusal(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  if (typeof description !== 'string' || description === '' || Buffer.byteLength(description) > 127) throw new FakeRefusal(400, 'PARAM_ERROR', 'description');
  if (typeof outTradeNo !== 'string' || !/^[0-9A-Za-z_\-*]{6,32}$/.test(outTradeNo)) throw new FakeRefusal(400, 'PARAM_ERROR', 'out_trade_no');
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 1) throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.total');
  if (request.amount?.currency !== undefined && request.amount.currency !== 'CNY') throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.currency');
  if (typeof request.scene_info?.store_info?.out_id !== 'string') throw new FakeRefusal(400, 'PARAM_ERROR', 'scene_info.store_info.out_id');
  if (typeof authCode !== 'string' || !/^1[0-5]\d{16}$/.test(authCode)) throw new FakeRefusal(400, 'AUTH_CODE_INVALID', '付款码无效，请重新扫码');

  const existing = codeOrders.get(outTradeNo);
  if (existing) {
    if (existing.tradeState === 'REVOKED') throw new FakeRefusal(400, 'ORDER_REVERSED', '订单已撤销');
    if (existing.authCode !== authCode || existing.amountFen !== total) throw new FakeRefusal(400, 'INVALID_REQUEST', '201 商户订单号重复');
    existing.payCalls++;
    if (existing.tradeState === 'PAYERROR') throw new FakeRefusal(403, 'TRADE_ERROR', '交易错误');
    return { order: existing, lost: false };
  }
  const behaviour = behaviours.get(authCode) ?? { kind: 'paid' };
  if (behaviour.kind === 'refused') throw new FakeRefusal(403, behaviour.code ?? 'NOTENOUGH', '用户余额不足');
  const order: FakeWechatCodeOrder = {
    outTradeNo,
    authCode,
    amountFen: total,
    takenFen: behaviour.kind === 'paid' ? (behaviour.takenFen ?? total) : total,
    description,
    tradeState: 'USERPAYING',
    payCalls: 1,
    queries: 0,
    reversed: false,
    refundedByReverse: false,
    payerOpenId: `o${randomBytes(14).toString('base64url')}`,
  };
  codeOrders.set(outTradeNo, order);
  if (behaviour.kind !== 'password') takeCodePayment(order);
  return { order, lost: behaviour.kind === 'lost' };
}

function takeCodePayment(order: FakeWechatCodeOrder): void {
  Object.assign(order, { tradeState: 'SUCCESS', transactionId: `4200${digits(24)}`, successTime: beijingRfc3339(new Date()) } satisfies Partial<FakeWechatCodeOrder>);
}

/** A 付款码支付 order as WeChat describes it (codepay's 200 answer, and the query's). */
function codeTransactionOf(merchant: Merchant, order: FakeWechatCodeOrder): object {
  const common = { appid: merchant.appId, mchid: merchant.mchId, out_trade_no: order.outTradeNo, trade_type: 'MICROPAY', trade_state: order.tradeState };
  if (order.tradeState !== 'SUCCESS') return { ...common, amount: { total: order.takenFen, currency: 'CNY' } };
  return {
    ...common,
    trade_state_desc: '支付成功',
    transaction_id: order.transactionId,
    bank_type: 'OTHERS',
    success_time: order.successTime,
    payer: { openid: order.payerOpenId },
    amount: { total: order.takenFen, payer_total: order.takenFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/**
 * POST /v3/refund/domestic/refunds: a refund of a paid order, by transaction_id or out_trade_no. The
 * same out_refund_no again is the same refund (WeChat refunds it once); a different one for more
 * than is left of the payment is refused.
 */
function createRefund(orders: Map<string, FakeWechatPayOrder>, refunds: Map<string, FakeWechatRefund>, input: unknown): FakeWechatRefund {
  const request = (input ?? {}) as { transaction_id?: unknown; out_trade_no?: unknown; out_refund_no?: unknown; reason?: unknown; amount?: { refund?: unknown; total?: unknown; currency?: unknown } };
  const { out_refund_no: outRefundNo, reason } = request;
  const refundFen = request.amount?.refund;
  const totalFen = request.amount?.total;
  if (typeof outRefundNo !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo)) throw new FakeRefusal(400, 'PARAM_ERROR', 'out_refund_no');
  if (typeof refundFen !== 'number' || !Number.isSafeInteger(refundFen) || refundFen < 1) throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.refund');
  if (typeof totalFen !== 'number' || !Number.isSafeInteger(totalFen)) throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.total');
  if (request.amount?.currency !== 'CNY') throw new FakeRefusal(400, 'PARAM_ERROR', 'amount.currency');
  if (reason !== undefined && (typeof reason !== 'string' || Buffer.byteLength(reason) > 80)) throw new FakeRefusal(400, 'PARAM_ERROR', 'reason');
  const order =
    typeof request.transaction_id === 'string'
      ? [...orders.values()].find((o) => o.transactionId === request.transaction_id)
      : typeof request.out_trade_no === 'string'
        ? orders.get(request.out_trade_no)
        : undefined;
  if (!order) throw new FakeRefusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  const existing = refunds.get(outRefundNo);
  if (existing) {
    if (existing.outTradeNo !== order.outTradeNo || existing.amountFen !== refundFen) throw new FakeRefusal(400, 'INVALID_REQUEST', '退款单号重复，且退款信息不一致');
    return existing;
  }
  if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') throw new FakeRefusal(400, 'INVALID_REQUEST', '订单未支付，不能退款');
  if (totalFen !== order.amountFen) throw new FakeRefusal(400, 'PARAM_ERROR', '订单金额与原订单不一致');
  const refundedFen = [...refunds.values()].filter((r) => r.outTradeNo === order.outTradeNo).reduce((sum, r) => sum + r.amountFen, 0);
  if (refundedFen + refundFen > order.amountFen) throw new FakeRefusal(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
  const refund: FakeWechatRefund = {
    outRefundNo,
    refundId: `50${digits(30)}`,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId!,
    amountFen: refundFen,
    paidFen: order.amountFen,
    ...(typeof reason === 'string' ? { reason } : {}),
    status: 'PROCESSING',
    createTime: beijingRfc3339(new Date()),
  };
  refunds.set(outRefundNo, refund);
  order.tradeState = 'REFUND';
  return refund;
}

/**
 * The trade bill of one Beijing day, as WeChat writes it: payments in the bill of their success
 * time, refunds in that of their acceptance, every field after a backquote, then the summary.
 */
function tradeBill(
  merchant: Merchant,
  day: string,
  type: 'ALL' | 'SUCCESS' | 'REFUND',
  orders: Map<string, FakeWechatPayOrder>,
  refunds: Map<string, FakeWechatRefund>,
  tamper: FakeBillTamper,
  codeOrders: Map<string, FakeWechatCodeOrder> = new Map(),
): Buffer {
  const lines: FakeBillLine[] = [];
  for (const order of orders.values()) {
    if (type === 'REFUND' || !order.successTime || !order.transactionId || !order.successTime.startsWith(day)) continue;
    lines.push({ kind: 'payment', platformTxnId: order.transactionId, outTradeNo: order.outTradeNo, amountFen: order.amountFen, paidFen: order.amountFen, at: beijingBillTime(order.successTime), description: order.description, payer: order.payerOpenId });
  }
  // 付款码 sales paid and not reversed are in the bill like any payment.
  for (const order of codeOrders.values()) {
    if (type === 'REFUND' || order.tradeState !== 'SUCCESS' || order.reversed || !order.successTime || !order.transactionId || !order.successTime.startsWith(day)) continue;
    lines.push({ kind: 'payment', platformTxnId: order.transactionId, outTradeNo: order.outTradeNo, amountFen: order.takenFen, paidFen: order.takenFen, at: beijingBillTime(order.successTime), description: order.description, payer: order.payerOpenId });
  }
  for (const refund of refunds.values()) {
    if (type === 'SUCCESS' || !refund.createTime.startsWith(day)) continue;
    const order = orders.get(refund.outTradeNo);
    lines.push({
      kind: 'refund',
      platformTxnId: refund.transactionId,
      outTradeNo: refund.outTradeNo,
      amountFen: refund.amountFen,
      paidFen: refund.paidFen,
      at: beijingBillTime(refund.createTime),
      description: order?.description ?? '',
      payer: order?.payerOpenId ?? '',
      refundId: refund.outRefundNo,
      platformRefundId: refund.refundId,
    });
  }
  lines.sort((a, b) => a.at.localeCompare(b.at));
  const rows = applyBillTamper(day, lines, tamper, () => `4200${digits(24)}`);
  const feeOf = (fen: number) => Math.round((fen * 6) / 1000); // 0.6%
  const field = (value: string) => `\`${value}`;
  const detail = rows.map((row) => {
    const payment = row.kind === 'payment';
    return [
      row.at, merchant.appId, merchant.mchId, '0', '', row.platformTxnId, row.outTradeNo, row.payer, 'JSAPI', payment ? 'SUCCESS' : 'REFUND',
      'OTHERS', 'CNY', formatYuan(row.paidFen), '0.00', payment ? '0' : row.platformRefundId ?? '', payment ? '0' : row.refundId ?? '', payment ? '0.00' : formatYuan(row.amountFen), '0.00', payment ? '' : 'ORIGINAL', payment ? '' : 'SUCCESS',
      row.description, '', formatYuan(payment ? feeOf(row.paidFen) : -feeOf(row.amountFen)), '0.60%', formatYuan(row.paidFen), payment ? '0.00' : formatYuan(row.amountFen), '',
    ].map(field).join(',');
  });
  const paid = rows.filter((row) => row.kind === 'payment').reduce((sum, row) => sum + row.amountFen, 0);
  const refunded = rows.filter((row) => row.kind === 'refund').reduce((sum, row) => sum + row.amountFen, 0);
  const fees = rows.reduce((sum, row) => sum + (row.kind === 'payment' ? feeOf(row.amountFen) : -feeOf(row.amountFen)), 0);
  const summary = [String(rows.length), formatYuan(paid), formatYuan(refunded), '0.00', formatYuan(fees), formatYuan(paid), formatYuan(refunded)].map(field).join(',');
  return Buffer.from(`${[WECHAT_BILL_DETAIL_HEADER.join(','), ...detail, WECHAT_BILL_SUMMARY_HEADER.join(','), summary].join('\r\n')}\r\n`, 'utf8');
}

/** A refund as WeChat answers it. */
function refundView(refund: FakeWechatRefund): object {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    create_time: refund.createTime,
    ...(refund.successTime ? { success_time: refund.successTime } : {}),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: { total: refund.paidFen, refund: refund.amountFen, payer_total: refund.paidFen, payer_refund: refund.amountFen, settlement_refund: refund.amountFen, settlement_total: refund.paidFen, discount_refund: 0, currency: 'CNY' },
  };
}

const STATE_DESCRIPTION: Record<FakeTradeState, string> = { NOTPAY: '订单未支付', SUCCESS: '支付成功', CLOSED: '订单已关闭', REFUND: '转入退款' };

/** An order as WeChat describes it, in query answers and (when paid) in the notification resource. */
function transactionOf(order: FakeWechatPayOrder): object {
  const common = { appid: order.appId, mchid: order.mchId, out_trade_no: order.outTradeNo, trade_state: order.tradeState, trade_state_desc: STATE_DESCRIPTION[order.tradeState] };
  if (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND') return { ...common, amount: { total: order.amountFen, payer_currency: 'CNY' }, promotion_detail: [] };
  return {
    ...common,
    transaction_id: order.transactionId,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    attach: '',
    success_time: order.successTime,
    payer: { openid: order.payerOpenId },
    amount: { total: order.amountFen, payer_total: order.amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** AEAD_AES_256_GCM as WeChat seals notification resources: ciphertext followed by the 16-byte tag. */
function seal(apiV3Key: string, nonce: string, associatedData: string, plaintext: string): Buffer {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

/** A merchant for this run: key, self-signed API certificate and its serial, APIv3 key, appid, mchid. */
function makeMerchant(): WechatPayConfig {
  const mchId = `1${digits(9)}`;
  const merchantKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // 40 hex digits like WeChat's merchant serials; the first below 8 keeps the DER integer positive as is.
  const serial = `${randomInt(1, 8)}${randomBytes(20).toString('hex').toUpperCase().slice(1)}`;
  const now = Date.now();
  const certificate = selfSignedCertificate({
    privateKey: merchantKey.privateKey,
    publicKey: merchantKey.publicKey,
    serialHex: serial,
    subject: [
      ['2.5.4.3', mchId],
      ['2.5.4.10', '微信商户系统'],
      ['2.5.4.11', 'Campus e-card (fake)'],
      ['2.5.4.6', 'CN'],
    ],
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 5 * 365 * 86_400_000),
  });
  return {
    appId: `wx${randomBytes(8).toString('hex')}`,
    mchId,
    merchantPrivateKeyPem: merchantKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    merchantCertificatePem: certificate,
    merchantCertSerial: serial,
    apiV3Key: alphanumeric(32),
    platformCertificates: {},
    gatewayBaseUrl: 'http://127.0.0.1',
  };
}

// A small DER writer: just enough X.509 for a self-signed certificate (node:crypto can parse, not make, them).

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : lengthBytes(body.length);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function lengthBytes(length: number): Buffer {
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const sequence = (...content: Buffer[]) => der(0x30, ...content);
const set = (...content: Buffer[]) => der(0x31, ...content);
const nullValue = () => der(0x05);

function integer(bytes: Buffer): Buffer {
  return der(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift((value % 128) | (groups.length ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** CN, O, OU as UTF8String; C as PrintableString. */
function name(attributes: Array<[oid: string, value: string]>): Buffer {
  return sequence(...attributes.map(([oid, value]) => set(sequence(objectId(oid), der(oid === '2.5.4.6' ? 0x13 : 0x0c, Buffer.from(value, 'utf8'))))));
}

function utcTime(at: Date): Buffer {
  return der(0x17, Buffer.from(`${at.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
}

function selfSignedCertificate(input: {
  privateKey: KeyObject;
  publicKey: KeyObject;
  serialHex: string;
  subject: Array<[oid: string, value: string]>;
  notBefore: Date;
  notAfter: Date;
}): string {
  const sha256WithRsa = sequence(objectId('1.2.840.113549.1.1.11'), nullValue());
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))), // v3
    integer(Buffer.from(input.serialHex, 'hex')),
    sha256WithRsa,
    name(input.subject), // issuer: itself
    sequence(utcTime(input.notBefore), utcTime(input.notAfter)),
    name(input.subject),
    input.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(input.privateKey);
  const certificate = sequence(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function digits(count: number): string {
  return Array.from({ length: count }, () => String(randomInt(10))).join('');
}

function alphanumeric(count: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: count }, () => alphabet[randomInt(alphabet.length)]).join('');
}


function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
