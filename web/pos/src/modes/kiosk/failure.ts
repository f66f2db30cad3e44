/** What a failed terminal request says on screen: the server's (or the offline check's) Chinese message, never English. */
import { TerminalRefusal, TerminalUnreachable } from '@shared/terminal-client';

export const UNREACHABLE_ZH = '网络连接失败，请稍后重试';

export function failureText(error: unknown): string {
  if (error instanceof TerminalRefusal) return error.zh;
  if (error instanceof TerminalUnreachable) return UNREACHABLE_ZH;
  return '操作失败，请重试';
}

/** The refusal's code, for tests and screens that branch on it (undefined: no answer). */
export function failureCode(error: unknown): string | undefined {
  return error instanceof TerminalRefusal ? error.code : undefined;
}
