/**
 * @tarojs/taro for unit tests in jsdom: storage in memory, page hooks as React effects, navigation
 * recorded, and requests answered by the test's own handler (there is no network in unit tests).
 */
import { useEffect } from 'react';

const storage = new Map<string, unknown>();
export const navigations: string[] = [];
let routerParams: Record<string, string> = {};

type RequestOptions = { url: string; method: string; header: Record<string, string>; data?: unknown };
export type RequestAnswer = { statusCode: number; header: Record<string, string>; data: unknown };
let requestHandler: (options: RequestOptions) => Promise<RequestAnswer> = async () => {
  throw new Error('request:fail no handler in this test');
};

/** wx.requestSubscribeMessage: every call's template ids, answered by the test (default: all accepted). */
export const subscribeCalls: string[][] = [];
let subscribeHandler: (tmplIds: string[]) => Promise<Record<string, string>> = async (tmplIds) => Object.fromEntries(tmplIds.map((id) => [id, 'accept']));
export function answerSubscriptions(handler: typeof subscribeHandler): void {
  subscribeHandler = handler;
}

export function answerRequests(handler: typeof requestHandler): void {
  requestHandler = handler;
}
export function setRouterParams(params: Record<string, string>): void {
  routerParams = params;
}
export function resetTaro(): void {
  storage.clear();
  navigations.length = 0;
  routerParams = {};
  subscribeCalls.length = 0;
}

const Taro = {
  getStorageSync: (key: string) => (storage.has(key) ? structuredClone(storage.get(key)) : ''),
  setStorageSync: (key: string, value: unknown) => void storage.set(key, structuredClone(value)),
  removeStorageSync: (key: string) => void storage.delete(key),
  request: (options: RequestOptions) => requestHandler(options),
  navigateTo: async ({ url }: { url: string }) => void navigations.push(url),
  redirectTo: async ({ url }: { url: string }) => void navigations.push(url),
  reLaunch: async ({ url }: { url: string }) => void navigations.push(url),
  navigateBack: async () => void navigations.push('back'),
  stopPullDownRefresh: () => undefined,
  login: async () => ({ code: 'test-code' }),
  requestPayment: async () => ({ errMsg: 'requestPayment:ok' }),
  requestSubscribeMessage: async ({ tmplIds }: { tmplIds: string[] }) => {
    subscribeCalls.push(tmplIds);
    return { errMsg: 'requestSubscribeMessage:ok', ...(await subscribeHandler(tmplIds)) };
  },
};
export default Taro;

export const useDidShow = (callback: () => void) => useEffect(() => callback(), []); // eslint-disable-line react-hooks/exhaustive-deps
export const useDidHide = (_callback: () => void) => undefined;
export const usePullDownRefresh = (_callback: () => void) => undefined;
export const useReachBottom = (_callback: () => void) => undefined;
export const useRouter = () => ({ params: routerParams });
