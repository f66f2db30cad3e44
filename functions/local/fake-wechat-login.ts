/**
 * WeChat's mini-program sign-in (jscode2session), played on 127.0.0.1: one-time codes for openids we
 * choose. Also the server API's access token (cgi-bin/token, cgi-bin/stable_token) and subscribe
 * messages (cgi-bin/message/subscribe/send): it checks the token, the template and each field's
 * length rule, records what was sent, and can be told to refuse (43101) or to be busy (-1).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WechatLoginConfig } from '../auth/platform-login';
import { FIELD_LIMITS, OUTBOX_EVENT_KINDS, TEMPLATE_FIELDS, type FieldType, type OutboxEventKind } from '../domain/outbox';

/** A subscribe message the fake accepted. */
export interface FakeWechatMessage {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  at: string;
}

export interface FakeWechatLogin {
  config: WechatLoginConfig;
  /** What wx.login gives the mini-program for this user: a one-time code. */
  issueCode(openid: string): string;
  /** The subscribe-message template ids this fake mini-program has, by kind (NOTIFICATION_TEMPLATES.wechat). */
  templates: Record<OutboxEventKind, string>;
  /** Every subscribe message it accepted, oldest first. */
  readonly messages: ReadonlyArray<FakeWechatMessage>;
  /** From now on, messages to this openid (of this template, or any) are refused 43101, as for a user who did not subscribe. */
  refuse(openid: string, templateId?: string): void;
  /** While busy, every send is answered -1 (system busy: nothing delivered). */
  setBusy(busy: boolean): void;
  /** Every access token issued so far stops working (42001), as when one expires. */
  expireTokens(): void;
  /** How many access tokens were issued. */
  tokensIssued(): number;
  close(): Promise<void>;
}

const FIELD_KEY = /^(thing|phrase|character_string|amount|time)(\d+)$/;

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** What the platform says about a field's value, or undefined when it follows its keyword type's rule. */
function fieldProblem(key: string, value: unknown): string | undefined {
  const match = FIELD_KEY.exec(key);
  if (!match || typeof value !== 'string') return `invalid field ${key}`;
  const type = match[1] as FieldType;
  if ([...value].length > FIELD_LIMITS[type]) return `${key} too long`;
  if (type === 'character_string' && !/^[\x21-\x7e]*$/.test(value)) return `${key} not letters/digits/symbols`;
  if (type === 'amount' && !/^-?\d+(\.\d{1,2})?元?$/.test(value)) return `${key} not an amount`;
  return undefined;
}

export async function startFakeWechatLogin(): Promise<FakeWechatLogin> {
  const appId = `wx${randomBytes(8).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const codes = new Map<string, string>();
  const templates = Object.fromEntries(OUTBOX_EVENT_KINDS.map((kind) => [kind, `tmpl-${kind}-${randomBytes(6).toString('hex')}`])) as Record<OutboxEventKind, string>;
  const fieldsOf = new Map(OUTBOX_EVENT_KINDS.map((kind) => [templates[kind], TEMPLATE_FIELDS[kind].map((type, i) => `${type}${i + 1}`)]));
  const tokens = new Set<string>();
  let issued = 0;
  const messages: FakeWechatMessage[] = [];
  const refusals = new Set<string>();
  let busy = false;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (body: object) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const issueToken = (appid: unknown, secret: unknown) => {
      if (appid !== appId || secret !== appSecret) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
      const token = randomBytes(24).toString('hex');
      tokens.add(token);
      issued++;
      reply({ access_token: token, expires_in: 7200 });
    };
    if (url.pathname === '/cgi-bin/token' && request.method === 'GET') {
      if (url.searchParams.get('grant_type') !== 'client_credential') return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
      return issueToken(url.searchParams.get('appid'), url.searchParams.get('secret'));
    }
    if (url.pathname === '/cgi-bin/stable_token' && request.method === 'POST') {
      void readJson(request).then((body) => (body.grant_type === 'client_credential' ? issueToken(body.appid, body.secret) : reply({ errcode: 40002, errmsg: 'invalid grant_type' })));
      return;
    }
    if (url.pathname === '/cgi-bin/message/subscribe/send' && request.method === 'POST') {
      void readJson(request).then((body) => {
        if (!tokens.has(url.searchParams.get('access_token') ?? '')) return reply({ errcode: 42001, errmsg: 'access_token expired' });
        if (busy) return reply({ errcode: -1, errmsg: 'system error' });
        const templateId = String(body.template_id ?? '');
        const expected = fieldsOf.get(templateId);
        if (!expected) return reply({ errcode: 40037, errmsg: 'invalid template_id' });
        const touser = String(body.touser ?? '');
        if (!touser) return reply({ errcode: 40003, errmsg: 'invalid openid' });
        if (refusals.has(touser) || refusals.has(`${touser}#${templateId}`)) return reply({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
        const data = (body.data ?? {}) as Record<string, { value?: unknown }>;
        for (const key of expected) {
          const problem = fieldProblem(key, data[key]?.value);
          if (problem) return reply({ errcode: 47003, errmsg: `argument invalid! data.${problem}` });
        }
        messages.push({ touser, templateId, ...(typeof body.page === 'string' ? { page: body.page } : {}), data: data as FakeWechatMessage['data'], at: new Date().toISOString() });
        reply({ errcode: 0, errmsg: 'ok', msgid: issued * 1000 + messages.length });
      });
      return;
    }
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
    templates,
    messages,
    refuse(openid, templateId) {
      refusals.add(templateId ? `${openid}#${templateId}` : openid);
    },
    setBusy(value) {
      busy = value;
    },
    expireTokens() {
      tokens.clear();
    },
    tokensIssued: () => issued,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
