/** How the client reports what it could not do: a refusal with a stable code, or no answer at all. */
import { ERRORS, renderMessage, type ErrorCode, type ErrorParamValues } from '../errors';

/** A refusal the API (or the offline check) answered: stable code + zh/en message from shared/errors.ts. */
export class TerminalRefusal extends Error {
  override name = 'TerminalRefusal';
  readonly code: ErrorCode | string;
  readonly status: number;
  readonly zh: string;
  readonly en: string;
  readonly params?: ErrorParamValues;
  readonly detail?: unknown;

  constructor(code: ErrorCode | string, status: number, message: { zh: string; en: string }, extra: { params?: ErrorParamValues; detail?: unknown } = {}) {
    super(`${code}: ${message.en}`);
    this.code = code;
    this.status = status;
    this.zh = message.zh;
    this.en = message.en;
    if (extra.params) this.params = extra.params;
    if (extra.detail !== undefined) this.detail = extra.detail;
  }

  /** A refusal the terminal decides itself, worded from the one error table. */
  static local(code: ErrorCode, params?: ErrorParamValues, detail?: unknown): TerminalRefusal {
    const { status, zh, en } = ERRORS[code];
    return new TerminalRefusal(code, status, { zh: renderMessage(zh, params), en: renderMessage(en, params) }, { ...(params ? { params } : {}), detail });
  }
}

/** No answer (network down, timeout, 5xx after retries). */
export class TerminalUnreachable extends Error {
  override name = 'TerminalUnreachable';
}
