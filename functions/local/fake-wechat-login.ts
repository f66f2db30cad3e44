/** WeChat's mini-program sign-in (jscode2session), played on 127.0.0.1: one-time codes for openids we choose. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WechatLoginConfig } from '../auth/platform-login';

export interface FakeWechatLogin {
  config: WechatLoginConfig;
  /** What wx.login gives the mini-program for this user: a one-time code. */
  issueCode(openid: string): string;
  close(): Promise<void>;
}

export async function startFakeWechatLogin(): Promise<FakeWechatLogin> {
  const appId = `wx${randomBytes(8).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const codes = new Map<string, string>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (body: object) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/sns/jscode2session') return reply({ errcode: 40001, errmsg: 'invalid path' });
    const q = url.searchParams;
    if (q.get('appid') !== appId || q.get('secret') !== appSecret) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
    const openid = codes.get(q.get('js_code') ?? '');
    if (q.get('grant_type') !== 'authorization_code' || !openid) return reply({ errcode: 40029, errmsg: 'invalid code' });
    codes.delete(q.get('js_code')!);
    reply({ openid, session_key: randomBytes(16).toString('base64') });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { appId, appSecret, baseUrl: `http://127.0.0.1:${port}` },
    issueCode(openid) {
      const code = randomBytes(12).toString('hex');
      codes.set(code, openid);
      return code;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
