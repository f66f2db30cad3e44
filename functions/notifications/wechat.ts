/**
 * WeChat subscribe messages (subscribeMessage.send): POST /cgi-bin/message/subscribe/send with an
 * access token from /cgi-bin/stable_token (the stable token does not invalidate the one another
 * server holds, unlike /cgi-bin/token). The app's own credentials: WECHAT_LOGIN_CONFIG, the same
 * mini-program that signs holders in.
 */
import type { WechatLoginConfig } from '../auth/platform-login';
import { neverSent, type NotificationChannel, type OutgoingMessage, type SendResult } from './channel';

/** Codes that mean the access token is no good: fetch a fresh one and send again (nothing was delivered). */
const TOKEN_CODES = new Set([40001, 40014, 42001]);
/** The platform's "busy" and rate-limit answers: nothing delivered, worth another try later. */
const BUSY_CODES = new Set([-1, 45009, 45011]);
const REFUSED_NOT_SUBSCRIBED = 43101;

export function createWechatNotifier(config: WechatLoginConfig, clock: () => Date = () => new Date()): NotificationChannel {
  let token: { value: string; until: number } | undefined;

  async function accessToken(forceRefresh: boolean): Promise<string> {
    if (!forceRefresh && token && token.until > clock().getTime()) return token.value;
    const response = await fetch(new URL('/cgi-bin/stable_token', config.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: config.appId, secret: config.appSecret, force_refresh: forceRefresh }),
      signal: AbortSignal.timeout(5_000),
    });
    const answer = (await response.json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!answer.access_token) throw new Error(`stable_token: ${answer.errcode} ${answer.errmsg}`);
    // Renewed five minutes early: a token that expires mid-send costs a retry.
    token = { value: answer.access_token, until: clock().getTime() + Math.max(0, (answer.expires_in ?? 7200) - 300) * 1000 };
    return token.value;
  }

  async function post(message: OutgoingMessage, accessTokenValue: string): Promise<{ errcode?: number; errmsg?: string }> {
    const url = new URL('/cgi-bin/message/subscribe/send', config.baseUrl);
    url.searchParams.set('access_token', accessTokenValue);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ touser: message.recipient, template_id: message.templateId, page: message.page, data: message.data, miniprogram_state: 'formal', lang: 'zh_CN' }),
      signal: AbortSignal.timeout(5_000),
    });
    return (await response.json()) as { errcode?: number; errmsg?: string };
  }

  return {
    platform: 'wechat',
    async send(message): Promise<SendResult> {
      let tokenValue: string;
      try {
        tokenValue = await accessToken(false);
      } catch (error) {
        // No token, no message: nothing can have been delivered.
        return { result: 'not_delivered', code: `token: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
      }
      for (let round = 0; round < 2; round++) {
        let answer: { errcode?: number; errmsg?: string };
        try {
          answer = await post(message, tokenValue);
        } catch (error) {
          if (neverSent(error)) return { result: 'not_delivered', code: String((error as { cause?: { code?: string } }).cause?.code), retryable: true };
          return { result: 'unknown', detail: error instanceof Error ? error.message : String(error) };
        }
        const code = answer.errcode ?? 0;
        if (code === 0) return { result: 'sent' };
        if (code === REFUSED_NOT_SUBSCRIBED) return { result: 'refused', code: String(code) };
        if (TOKEN_CODES.has(code) && round === 0) {
          try {
            tokenValue = await accessToken(true);
          } catch (error) {
            return { result: 'not_delivered', code: `token: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
          }
          continue;
        }
        return { result: 'not_delivered', code: `${code} ${answer.errmsg ?? ''}`.trim(), retryable: BUSY_CODES.has(code) };
      }
      return { result: 'not_delivered', code: 'token refused twice', retryable: false };
    },
  };
}
