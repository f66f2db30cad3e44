/**
 * The one table of error codes the platform answers with. The code is stable (POS vendors and the
 * mini-program branch on it); the messages are for people, in Chinese and English.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '请求参数有误', en: 'The request is invalid' },
  MALFORMED_JSON: { status: 400, zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '请以 application/json 格式提交', en: 'Send the body as application/json' },
  UNAUTHENTICATED: { status: 401, zh: '身份验证失败', en: 'Authentication failed' },
  TERMINAL_CLOCK_SKEW: { status: 401, zh: '终端时钟偏差过大，请校准时间', en: 'The terminal clock is too far off; please synchronise it' },
  TERMINAL_NONCE_REUSED: { status: 401, zh: '请求已被使用过（重放）', en: 'This request was already used (replay)' },
  TERMINAL_DISABLED: { status: 403, zh: '终端已停用', en: 'This terminal is disabled' },
  FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, zh: '找不到请求的资源', en: 'The requested resource was not found' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在', en: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, zh: '不支持该请求方法', en: 'This method is not allowed here' },
  ACCOUNT_NOT_FOUND: { status: 404, zh: '账户不存在', en: 'The account does not exist' },
  INSUFFICIENT_BALANCE: { status: 409, zh: '余额不足', en: 'Insufficient balance' },
  CARD_LOST: { status: 409, zh: '卡片已挂失', en: 'The card is reported lost' },
  CARD_FROZEN: { status: 409, zh: '卡片已冻结', en: 'The card is frozen' },
  CARD_CANCELLED: { status: 409, zh: '账户已注销', en: 'The account is closed' },
  CARD_EXPIRED: { status: 409, zh: '卡片已过期', en: 'The card has expired' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    zh: '该交易号已用于另一笔不同的交易',
    en: 'This transaction id was already used for a different transaction',
  },
  BUSY_RETRY: { status: 503, zh: '系统繁忙，请重试', en: 'The system is busy; please retry' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '数据库暂时不可用，请稍后重试', en: 'The database is unavailable; please retry later' },
  INTERNAL: { status: 500, zh: '系统内部错误', en: 'Internal error' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  code: ErrorCode;
  message: { zh: string; en: string };
  requestId?: string;
  /** Field-level problems for VALIDATION_FAILED: where, and what is wrong (English, for developers). */
  issues?: { path: string; problem: string }[];
}

export function errorBody(code: ErrorCode, extra: Omit<ErrorBody, 'code' | 'message'> = {}): ErrorBody {
  const { zh, en } = ERRORS[code];
  return { code, message: { zh, en }, ...extra };
}
