/**
 * Who is signing in from inside WeChat or Alipay: the mini-program's one-time code is exchanged with
 * the platform for the user's stable id (WeChat openid, Alipay user id). Base URLs are configurable
 * so the local stack and the tests use fake platforms.
 */
import { AlipaySdk } from 'alipay-sdk';
import { AppError } from '../app-error';
import { formatBeijingTime, type AlipayConfig } from '../payments/alipay';

export interface WechatLoginConfig {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com in production. */
  baseUrl: string;
}

export async function wechatCode2Session(config: WechatLoginConfig, code: string): Promise<string> {
  const url = new URL('/sns/jscode2session', config.baseUrl);
  url.search = new URLSearchParams({ appid: config.appId, secret: config.appSecret, js_code: code, grant_type: 'authorization_code' }).toString();
  let answer: { openid?: string; errcode?: number; errmsg?: string };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    answer = (await response.json()) as typeof answer;
  } catch (error) {
    throw new AppError('LOGIN_PLATFORM_UNAVAILABLE', `wechat: ${String(error)}`);
  }
  if (!answer.openid) throw new AppError('UNAUTHENTICATED', `wechat code2session: ${answer.errcode} ${answer.errmsg}`);
  return answer.openid;
}

export async function alipayOauthToken(config: AlipayConfig, clock: () => Date, code: string): Promise<string> {
  const sdk = new AlipaySdk({ appId: config.appId, privateKey: config.appPrivateKeyPem, alipayPublicKey: config.alipayPublicKeyPem, gateway: config.gatewayUrl, keyType: 'PKCS8', camelcase: false });
  let answer: Record<string, unknown>;
  try {
    answer = (await sdk.exec('alipay.system.oauth.token', { grant_type: 'authorization_code', code, timestamp: formatBeijingTime(clock()) }, { validateSign: true })) as Record<string, unknown>;
  } catch (error) {
    throw new AppError('LOGIN_PLATFORM_UNAVAILABLE', `alipay: ${String(error)}`);
  }
  const userId = (answer.user_id ?? answer.open_id) as string | undefined;
  if (!userId) throw new AppError('UNAUTHENTICATED', `alipay oauth: ${String(answer.sub_code ?? answer.code)}`);
  return userId;
}
