/** Everything that differs between WeChat, Alipay and H5, behind one small surface. */
import Taro from '@tarojs/taro';
import type { AutoReloadSigning, HttpRequest, HttpResponse, TopupCreated, Transport } from './api';
import { deviceKeySeed } from './key-seed';

export type Target = 'weapp' | 'alipay' | 'h5';
export const TARGET = process.env.TARO_ENV as Target;

export const taroTransport: Transport = async (request: HttpRequest): Promise<HttpResponse> => {
  const response = await Taro.request({
    url: request.url,
    method: request.method,
    header: request.headers,
    ...(request.body !== undefined ? { data: request.body as Record<string, unknown> } : {}),
    dataType: 'json',
    timeout: 10_000,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((response.header ?? {}) as Record<string, unknown>)) headers[name.toLowerCase()] = String(value);
  return { status: response.statusCode, headers, body: response.data };
};

export const storage = {
  get<T>(key: string): T | undefined {
    try {
      const value = Taro.getStorageSync(key) as T | '';
      return value === '' ? undefined : value;
    } catch {
      return undefined;
    }
  },
  set(key: string, value: unknown): void {
    Taro.setStorageSync(key, value);
  },
  remove(key: string): void {
    Taro.removeStorageSync(key);
  },
};

/**
 * 32 random bytes for the device key: Web Crypto where there is one, else the mini-program's own,
 * else (Alipay) the server's one-time seed mixed with the phone's entropy (lib/key-seed.ts).
 */
export async function randomSeed(serverSeed: () => Promise<string>): Promise<Uint8Array | undefined> {
  return deviceKeySeed(serverSeed);
}

/** The platform's sign-in code, exchanged by the server for who the user is. */
export async function platformLoginCode(): Promise<{ platform: 'wechat'; code: string } | { platform: 'alipay'; authCode: string } | undefined> {
  if (TARGET === 'weapp') return { platform: 'wechat', code: (await Taro.login()).code };
  if (TARGET === 'alipay') {
    const my = (globalThis as { my?: { getAuthCode: (o: { scopes: string; success: (r: { authCode: string }) => void; fail: (e: unknown) => void }) => void } }).my;
    if (!my) return undefined;
    const authCode = await new Promise<string>((resolve, reject) => my.getAuthCode({ scopes: 'auth_base', success: (r) => resolve(r.authCode), fail: reject }));
    return { platform: 'alipay', authCode };
  }
  return undefined;
}

export type PaymentOutcome = 'paid' | 'cancelled';

/** Opens the platform's own payment sheet for an order (not H5: there the page shows the local cashier). */
export async function payWithPlatform(created: Pick<TopupCreated, 'wechat' | 'alipay'>): Promise<PaymentOutcome> {
  if (TARGET === 'weapp' && created.wechat) {
    try {
      const { appId: _appId, ...params } = created.wechat;
      await Taro.requestPayment(params);
      return 'paid';
    } catch (error) {
      if (String((error as { errMsg?: string }).errMsg ?? '').includes('cancel')) return 'cancelled';
      throw error;
    }
  }
  if (TARGET === 'alipay' && created.alipay) {
    const my = (globalThis as { my?: { tradePay: (o: { tradeNO: string; success: (r: { resultCode: string }) => void; fail: (e: unknown) => void }) => void } }).my;
    const resultCode = await new Promise<string>((resolve, reject) => my!.tradePay({ tradeNO: created.alipay!.tradeNo, success: (r) => resolve(r.resultCode), fail: reject }));
    // 9000 paid, 8000/6004 outcome unknown (the poll decides), 6001 cancelled by the user.
    return resultCode === '6001' ? 'cancelled' : 'paid';
  }
  throw new Error(`no payment sheet on ${TARGET}`);
}

/** Which channel this build pays top-ups with. */
export function topupChannel(): 'wechat' | 'alipay' | undefined {
  if (TARGET === 'weapp') return 'wechat';
  if (TARGET === 'alipay') return 'alipay';
  return ECARD_LOCAL_CASHIER ? 'wechat' : undefined;
}

export type SigningOutcome = 'returned' | 'cancelled';

/**
 * Opens the platform's own signing page for a recurring-debit agreement (not H5: there the page shows
 * the local stand-in). 'returned' only means the holder came back: whether they signed is the
 * platform's notification to the server, so the page polls; the app never claims it signed.
 */
export async function signWithPlatform(signing: AutoReloadSigning['signing']): Promise<SigningOutcome> {
  if (TARGET === 'weapp' && signing.channel === 'wechat') {
    // WeChat Pay's signing mini-program (委托代扣), opened with the pre-sign's extraData.
    try {
      const { appId, path, extraData } = signing.navigateToMiniProgram;
      await Taro.navigateToMiniProgram({ appId, path, extraData });
      return 'returned';
    } catch (error) {
      if (String((error as { errMsg?: string }).errMsg ?? '').includes('cancel')) return 'cancelled';
      throw error;
    }
  }
  if (TARGET === 'alipay' && signing.channel === 'alipay') {
    type NavigateOptions = { path: string; success: () => void; fail: (e: unknown) => void };
    const my = (globalThis as { my?: { ap?: { navigateToAlipayPage: (o: NavigateOptions) => void } } }).my;
    if (!my?.ap) throw new Error('my.ap.navigateToAlipayPage is not available');
    await new Promise<void>((resolve, reject) => my.ap!.navigateToAlipayPage({ path: alipaySigningPath(signing.signUrl), success: resolve, fail: reject }));
    return 'returned';
  }
  throw new Error(`no signing page on ${TARGET}`);
}

/**
 * Alipay's signing page from inside Alipay: the gateway URL of alipay.user.agreement.page.sign
 * (pageExecute GET) goes to the fixed signing app 60000157 with its whole query encoded once as
 * sign_params (Alipay's "无线端唤起签约" instructions); an alipays:// link is opened as it is.
 */
export function alipaySigningPath(signUrl: string): string {
  if (signUrl.startsWith('alipays://')) return signUrl;
  const query = signUrl.includes('?') ? signUrl.slice(signUrl.indexOf('?') + 1) : signUrl;
  return `alipays://platformapi/startapp?appId=60000157&appClearTop=false&startMultApp=YES&sign_params=${encodeURIComponent(query)}`;
}
