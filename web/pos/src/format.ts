/** Money and reasons as the terminal shows them (Chinese, yuan with two decimals). */
import { ERRORS } from '@shared/errors';

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The keyed amount ("12.5") in fen, or undefined while it is not a valid amount. */
export function fenOf(keyed: string): number | undefined {
  if (keyed === '') return 0;
  const match = /^(\d{1,7})(?:\.(\d{0,2}))?$/.exec(keyed);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Appends a key (a digit, '00', '.') to the keyed amount, refusing what would not be an amount. */
export function keyAmount(keyed: string, key: string): string {
  const next = (key === '.' ? (keyed.includes('.') ? keyed : (keyed || '0') + '.') : keyed + key).replace(/^0+(?=\d)/, '');
  return fenOf(next) === undefined ? keyed : next;
}

/** A holder's name as a terminal may show it: 张三明 → 张*明, 张三 → 张*. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 2)) + (chars.length > 2 ? chars[chars.length - 1] : '');
}

/** Why an offline record was held or rejected, from the server's reason (an error code or a hold reason). */
const HOLD_REASONS: Record<string, string> = {
  insufficient_balance: '账户余额不足',
  token_reused: '校园码已使用过',
  clock_in_future: '终端时钟超前',
  account_cancelled: '账户已注销',
  card_lost: '卡已挂失',
  card_void: '卡已作废',
  card_replaced_today: '卡今日已补办',
  too_late: '上传过晚',
  levelled: '已按卡内余额平账，不再扣款',
};

export function reasonZh(reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  const known = (ERRORS as Record<string, { zh: string } | undefined>)[reason];
  return known?.zh ?? HOLD_REASONS[reason] ?? reason;
}

export const RECORD_STATES: Record<string, string> = {
  queued: '待上传',
  applied: '已入账',
  held: '已挂起',
  rejected: '已拒绝',
  reflected: '已平账',
};

export const CHANNELS: Record<string, string> = { campus: '校园码', qr: '校园码', card: '校园卡', wechat: '微信支付', alipay: '支付宝' };
