/**
 * The outbox: what happened to a holder's account, written in the same transaction as the change
 * itself (the movement store for money, the account status store for loss and unfreeze), and read
 * afterwards by whoever subscribes (docs/notifications.md). Today the holder's notifications
 * subscribe; later features (automatic reload on a low balance, lost-card taps) add a subscriber of
 * their own to the same events instead of touching the money path again.
 *
 * One outbox item per change, holding every event the change makes (a payment that crosses the
 * low-balance threshold makes two): the money path pays one extra Put, whatever it tells.
 *
 * Ids are derived from what changed (the ledger entry, the account version a status change
 * wrote), never drawn at random: a transaction that is retried after it committed finds the change
 * already made and writes nothing, and one that did not commit writes a different change's id.
 */
import type { Account, AccountStatus } from './account';
import type { LedgerEntry } from './ledger';
import type { TopupOrder, TopupTrigger } from './topup';

/** What a subscriber can be told. Add a kind here (and to its subscribers) for a new feature's event. */
export const OUTBOX_EVENT_KINDS = ['payment', 'topup', 'low_balance', 'loss', 'unfreeze', 'lost_card_tapped', 'card_found', 'auto_reload_refused'] as const;
export type OutboxEventKind = (typeof OUTBOX_EVENT_KINDS)[number];

/**
 * One event: everything a message needs, so that sending it needs no other read of the change
 * (a merchant's or terminal's name is looked up by the notification subscriber, off the money path).
 */
export interface OutboxEvent {
  /** `<sourceId>#<kind>`: stable, one per change and kind. */
  eventId: string;
  kind: OutboxEventKind;
  accountNo: string;
  /** When the change committed (ISO). */
  at: string;
  /** The movement's amount (payment, top-up), fen. */
  amountFen?: number;
  /** The spendable balance after the change, fen. */
  balanceAfterFen?: number;
  /** low_balance: the holder's threshold the payment took the balance below. */
  thresholdFen?: number;
  /** The movement's receipt, channel and where it happened (payments and top-ups). */
  receiptNo?: string;
  channel?: string;
  merchantId?: string;
  terminalId?: string;
  /** The status before a status change (loss: active; unfreeze: lost or frozen). */
  fromStatus?: AccountStatus;
  /** lost_card_tapped: the terminal's place; card_found: where to collect the card (domain/lost-found.ts). */
  placeName?: string;
  /** lost_card_tapped: what refused the tap (pos, gate, kiosk). */
  tapVia?: string;
  /** card_found: who found it as the owner may be told ("a kiosk at X", "another student"). */
  foundBy?: string;
  /** topup: an automatic reload's credit (the message's channel says so). */
  trigger?: TopupTrigger;
  /** auto_reload_refused: the platform's refusal code (NOTENOUGH...), `not_paid_in_time` or `platform_closed`; told in plain words. */
  refusal?: string;
}

/** The stored outbox item: one change's events. */
export interface OutboxRecord {
  sourceId: string;
  accountNo: string;
  createdAt: string;
  events: OutboxEvent[];
}

/** Movement types a holder experiences as paying for something (a holder debit to a merchant or a fee). */
export const PAYMENT_TYPES: readonly LedgerEntry['type'][] = ['purchase', 'utility_payment', 'fee'];
/** Movement types that credit money the holder paid in. */
export const CREDIT_TYPES: readonly LedgerEntry['type'][] = ['topup', 'transitional_credit'];

export function movementSourceId(accountNo: string, entryId: string): string {
  return `E#${accountNo}#${entryId}`;
}

/** A status change is identified by the account version it wrote: the version condition lets exactly one writer make it. */
export function statusSourceId(accountNo: string, versionWritten: number): string {
  return `S#${accountNo}#${versionWritten}`;
}

/** An automatic reload's order is closed at most once (the order's pending state): its id names the refusal. */
export function reloadRefusalSourceId(orderId: string): string {
  return `AR#${orderId}`;
}

export function eventIdOf(sourceId: string, kind: OutboxEventKind): string {
  return `${sourceId}#${kind}`;
}

/**
 * The low-balance rule: once per crossing. The payment that takes the balance from at or above the
 * threshold to below it; a payment that starts below (already told) makes none, and a top-up back
 * above it re-arms the rule by itself. No threshold set: never.
 */
export function crossesLowBalance(beforeFen: number, afterFen: number, thresholdFen: number | undefined): boolean {
  if (thresholdFen === undefined || thresholdFen <= 0) return false;
  return beforeFen >= thresholdFen && afterFen < thresholdFen;
}

/** The events a posted movement makes (none for most kinds: card loads, levelling, closings...). */
export function movementEvents(entry: LedgerEntry, account: Pick<Account, 'lowBalanceAlertFen'>): OutboxEvent[] {
  const sourceId = movementSourceId(entry.accountNo, entry.entryId);
  const common = {
    accountNo: entry.accountNo,
    at: entry.createdAt,
    amountFen: entry.amountFen,
    balanceAfterFen: entry.after.balanceFen,
    receiptNo: entry.receiptNo,
    channel: entry.channel,
    ...(entry.merchantId !== undefined ? { merchantId: entry.merchantId } : {}),
    ...(entry.terminalId !== undefined ? { terminalId: entry.terminalId } : {}),
    ...(entry.trigger !== undefined ? { trigger: entry.trigger } : {}),
  };
  const events: OutboxEvent[] = [];
  if (PAYMENT_TYPES.includes(entry.type) && entry.delta.balanceFen < 0) {
    events.push({ eventId: eventIdOf(sourceId, 'payment'), kind: 'payment', ...common });
    const before = entry.after.balanceFen - entry.delta.balanceFen;
    if (crossesLowBalance(before, entry.after.balanceFen, account.lowBalanceAlertFen)) {
      events.push({ eventId: eventIdOf(sourceId, 'low_balance'), kind: 'low_balance', ...common, thresholdFen: account.lowBalanceAlertFen! });
    }
  } else if (CREDIT_TYPES.includes(entry.type) && entry.amountFen > 0) {
    events.push({ eventId: eventIdOf(sourceId, 'topup'), kind: 'topup', ...common, balanceAfterFen: entry.after.balanceFen + entry.after.transitionalFen });
  }
  return events;
}

/** The event a status change makes: a loss report (active → lost), an unfreeze (lost or frozen → active); others none. */
export function statusEvents(accountNo: string, from: AccountStatus, to: AccountStatus, versionWritten: number, at: string): OutboxEvent[] {
  const sourceId = statusSourceId(accountNo, versionWritten);
  if (from === 'active' && to === 'lost') return [{ eventId: eventIdOf(sourceId, 'loss'), kind: 'loss', accountNo, at, fromStatus: from }];
  if ((from === 'lost' || from === 'frozen') && to === 'active') return [{ eventId: eventIdOf(sourceId, 'unfreeze'), kind: 'unfreeze', accountNo, at, fromStatus: from }];
  return [];
}

/**
 * The event of an automatic reload closed without money (the platform refused the deduction, or it
 * was never paid by its pay-by time): written with the order's close, so one per reload. Other
 * orders tell nothing when closed (the holder was there, watching the payment fail).
 */
export function reloadRefusalEvents(order: Pick<TopupOrder, 'orderId' | 'accountNo' | 'amountFen' | 'channel' | 'trigger'>, refusal: string, at: string): OutboxEvent[] {
  if (order.trigger !== 'auto_reload') return [];
  const sourceId = reloadRefusalSourceId(order.orderId);
  return [{ eventId: eventIdOf(sourceId, 'auto_reload_refused'), kind: 'auto_reload_refused', accountNo: order.accountNo, at, amountFen: order.amountFen, channel: order.channel, refusal }];
}

// ---------------------------------------------------------------------------------------------
// Subscribers

/** What became of one event at one subscriber. `claimed` alone (no outcome) means it crashed mid-send: never sent again blindly. */
export type DeliveryStatus = 'claimed' | 'sent' | 'skipped' | 'refused' | 'failed';

export interface DeliveryOutcome {
  status: Exclude<DeliveryStatus, 'claimed'>;
  /** Why (a preference off, no subscription, the platform's code); for the record, never shown to holders. */
  detail?: string;
  /** How many calls to the outside were made. */
  attempts?: number;
}

/**
 * Something that acts on events: each (event, subscriber) is claimed once with a conditional write
 * before `deliver` runs, so a stream's redelivery or two dispatchers at once never deliver twice.
 */
export interface OutboxSubscriber {
  /** Stable: part of the claim's key. */
  name: string;
  kinds: readonly OutboxEventKind[];
  deliver(event: OutboxEvent): Promise<DeliveryOutcome>;
}

// ---------------------------------------------------------------------------------------------
// Messages: the template fields of each kind, with the platforms' length rules

/**
 * WeChat subscribe-message keyword types and their limits (mp.weixin.qq.com 订阅消息 rules):
 * thing ≤ 20 characters, phrase ≤ 5 characters, character_string ≤ 32 letters/digits/symbols,
 * amount a number with an optional 元, time a date-time. Alipay's keywords are filled in the same
 * order (keyword1, keyword2...) with the same values.
 */
export const FIELD_LIMITS = { thing: 20, phrase: 5, character_string: 32, amount: 16, time: 20 } as const;
export type FieldType = keyof typeof FIELD_LIMITS;

/** A template's fields in order: WeChat's key is `<type><n>` (thing1, amount2...). */
export const TEMPLATE_FIELDS: Record<OutboxEventKind, readonly FieldType[]> = {
  payment: ['thing', 'amount', 'amount', 'time'],
  topup: ['amount', 'amount', 'thing', 'time'],
  low_balance: ['amount', 'amount', 'thing', 'time'],
  loss: ['character_string', 'phrase', 'time', 'thing'],
  unfreeze: ['character_string', 'phrase', 'time', 'thing'],
  lost_card_tapped: ['character_string', 'time', 'thing', 'thing'],
  card_found: ['character_string', 'thing', 'time', 'thing'],
  // 充值金额, 失败原因, 时间, 温馨提示
  auto_reload_refused: ['amount', 'thing', 'time', 'thing'],
};

/** Cuts a value to its field's limit (by characters, not UTF-16 units; a cut thing ends with …). */
export function truncateField(type: FieldType, value: string): string {
  const limit = FIELD_LIMITS[type];
  let text = value.replace(/\s+/g, ' ').trim();
  if (type === 'character_string') text = text.replace(/[^\x21-\x7e]/g, '');
  const chars = [...text];
  if (chars.length <= limit) return text;
  return type === 'thing' ? `${chars.slice(0, limit - 1).join('')}…` : chars.slice(0, limit).join('');
}

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}元`;
}

/** Beijing time, to the minute: 2026-12-01 12:05. */
export function beijingMinute(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

const CHANNEL_NAMES: Record<string, string> = { wechat: '微信支付', alipay: '支付宝', bank: '银行卡', counter: '服务大厅', admin: '卡务中心', app: '校园卡' };

/** Why a reload took nothing, in the holder's words (the platform's code is kept on the order and the delivery record). */
const REFUSAL_WORDS: Record<string, string> = {
  NOTENOUGH: '余额不足',
  'ACQ.BUYER_BALANCE_NOT_ENOUGH': '余额不足',
  CONTRACT_NOT_EXIST: '协议已失效',
  CONTRACT_TERMINATED: '协议已失效',
  CONTRACT_ERROR: '协议已失效',
  'ACQ.AGREEMENT_NOT_EXIST': '协议已失效',
  'ACQ.AGREEMENT_INVALID': '协议已失效',
  'ACQ.AGREEMENT_STATUS_NOT_NORMAL': '协议已失效',
  not_paid_in_time: '支付平台未完成扣款',
  platform_closed: '支付平台未完成扣款',
};

export function refusalWords(refusal: string | undefined): string {
  return (refusal !== undefined ? REFUSAL_WORDS[refusal] : undefined) ?? '支付平台拒绝';
}

function maskedAccount(accountNo: string): string {
  return accountNo.length > 4 ? `${'*'.repeat(Math.min(4, accountNo.length - 4))}${accountNo.slice(-4)}` : accountNo;
}

/** The values of an event's template, in field order, before truncation. */
export function messageValues(event: OutboxEvent, placeName: string | undefined): string[] {
  const time = beijingMinute(event.at);
  switch (event.kind) {
    case 'payment':
      return [placeName ?? '校园卡消费', yuan(event.amountFen ?? 0), yuan(event.balanceAfterFen ?? 0), time];
    case 'topup':
      return [yuan(event.amountFen ?? 0), yuan(event.balanceAfterFen ?? 0), topupChannelWords(event), time];
    case 'low_balance':
      return [yuan(event.balanceAfterFen ?? 0), yuan(event.thresholdFen ?? 0), '校园卡余额不足，请及时充值', time];
    case 'loss':
      return [maskedAccount(event.accountNo), '已挂失', time, '如非本人操作请联系卡务中心'];
    case 'unfreeze':
      return [maskedAccount(event.accountNo), '已解挂', time, '校园卡已恢复使用'];
    // 您挂失的卡于 {time} 在 {place} 被刷卡（已拒绝）: the place written with the tap (domain/lost-found.ts).
    case 'lost_card_tapped':
      return [maskedAccount(event.accountNo), time, placeName ?? event.placeName ?? '校内终端', '挂失卡被刷卡，已拒绝'];
    case 'card_found':
      return [maskedAccount(event.accountNo), event.placeName ?? '卡务中心', time, '您的校园卡已被拾到，请凭证件领取'];
    case 'auto_reload_refused':
      return [yuan(event.amountFen ?? 0), refusalWords(event.refusal), time, '请在小程序中手动充值'];
  }
}

/** A top-up's channel as the message says it: "微信支付", or "自动充值·微信支付" for an automatic reload. */
function topupChannelWords(event: OutboxEvent): string {
  const channel = CHANNEL_NAMES[event.channel ?? ''] ?? '充值';
  return event.trigger === 'auto_reload' ? `自动充值·${channel}` : channel;
}

/** The template data as WeChat wants it: `{ thing1: { value } ... }`, every value within its limit. */
export function templateData(event: OutboxEvent, placeName: string | undefined): Record<string, { value: string }> {
  const types = TEMPLATE_FIELDS[event.kind];
  const values = messageValues(event, placeName);
  return Object.fromEntries(types.map((type, i) => [`${type}${i + 1}`, { value: truncateField(type, values[i] ?? '') }]));
}

/** The page a message opens in the mini-program. */
export function messagePage(event: OutboxEvent): string {
  // A reload that took nothing: where the holder tops up by hand.
  if (event.kind === 'auto_reload_refused') return 'pages/topup/index';
  return event.receiptNo ? `pages/receipt/index?receiptNo=${event.receiptNo}` : 'pages/card/index';
}
