/**
 * Every answer a route gives is in its OpenAPI entry: each route is probed over HTTP with what the
 * route layer refuses (no credentials, malformed JSON, another content type, a body or path the
 * contract does not accept), and each status, and each error code, must be documented there.
 */
import { describe, expect, it } from 'vitest';
import { issueAdminSession } from '../../functions/auth/admin-session';
import { issueHolderSession } from '../../functions/auth/holder-session';
import { startFakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { buildOpenApiDocument } from '../../functions/http/openapi';
import { createStaffMember } from '../../functions/services/admin/sessions';
import type { RouteContract } from '../../shared/api/contract';
import { ROUTES } from '../../shared/api/routes';
import { signTerminalRequest } from '../../shared/terminal-signature';
import { createTestAccount, createTestTerminal } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { useFake } from '../helpers/fakes';

const platform = useTestPlatform({ http: true });
// The notification routes need configured channels; the fakes themselves are not driven here.
useFake('WECHAT_PAY_CONFIG', startFakeWechatPay, () => undefined);
useFake('ALIPAY_CONFIG', startFakeAlipay, () => undefined);
const doc = buildOpenApiDocument() as any;

interface Probe {
  name: string;
  credentials: boolean;
  body?: string;
  contentType?: string;
}

const PROBES: Probe[] = [
  { name: 'no credentials', credentials: false },
  { name: 'no body', credentials: true },
  { name: 'malformed JSON', credentials: true, body: '{"amountFen": ', contentType: 'application/json' },
  { name: 'another content type', credentials: true, body: 'amountFen=1', contentType: 'text/plain' },
  { name: 'a body the contract does not take', credentials: true, body: '{"unexpected":1}', contentType: 'application/json' },
];

/** The documented schema of one answer, with a $ref followed. */
function documented(contract: RouteContract, status: number, contentType: string) {
  const response = doc.paths[contract.path][contract.method.toLowerCase()].responses[String(status)];
  if (!response) return undefined;
  const media = Object.entries(response.content ?? {}).find(([type]) => contentType.startsWith(type))?.[1] as { schema?: any } | undefined;
  const schema = media?.schema?.$ref ? doc.components.schemas[media.schema.$ref.split('/').pop()] : media?.schema;
  return { media, schema };
}

describe('every answer a route gives is documented', () => {
  it('for every route and every probe', async () => {
    const account = await createTestAccount(platform.deps);
    const terminal = await createTestTerminal(platform.deps);
    await createStaffMember(platform.deps, { username: 'sup.probe', role: 'administrator', password: 'probe password 2026' });
    const holderToken = await issueHolderSession(process.env.SESSION_SECRET!, account.accountNo, new Date());
    const adminToken = (await issueAdminSession(process.env.SESSION_SECRET!, { username: 'sup.probe', role: 'administrator' }, new Date())).token;
    const undocumented: string[] = [];
    let probes = 0;

    for (const contract of ROUTES) {
      const path = contract.path.replace(/\{[^}]+\}/g, 'x');
      for (const probe of PROBES) {
        if (contract.auth === 'none' && !probe.credentials) continue;
        if (contract.method === 'GET' && probe.body !== undefined) continue;
        const headers: Record<string, string> = probe.contentType ? { 'content-type': probe.contentType } : {};
        if (probe.credentials && contract.auth === 'holder') headers.authorization = `Bearer ${holderToken}`;
        if (probe.credentials && contract.auth === 'admin') headers.authorization = `Bearer ${adminToken}`;
        if (probe.credentials && contract.auth === 'terminal') {
          Object.assign(headers, signTerminalRequest(terminal, { method: contract.method, path, body: probe.body ?? '', now: new Date(), nonce: `probe${++probes}${Date.now()}` }));
        }
        const response = await fetch(platform.url + path, { method: contract.method, headers, ...(probe.body !== undefined ? { body: probe.body } : {}) });
        const contentType = response.headers.get('content-type') ?? '';
        const text = await response.text();
        const where = `${contract.method} ${contract.path} (${probe.name}) → ${response.status} ${text.slice(0, 80)}`;
        const entry = documented(contract, response.status, contentType);
        if (!entry?.media) {
          undocumented.push(`${where}: status or content type not documented`);
          continue;
        }
        const code = contentType.includes('json') ? (JSON.parse(text) as { code?: unknown }).code : undefined;
        const codes: string[] | undefined = entry.schema?.properties?.code?.enum;
        if (codes && typeof code === 'string' && !codes.includes(code)) undocumented.push(`${where}: code not documented (${codes.join(', ')})`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('payment notifications', () => {
  it.each([
    ['wechat', { 'content-type': 'application/json' }, '{"id":"forged"}', 'application/json', { code: 'FAIL' }],
    ['alipay', { 'content-type': 'application/x-www-form-urlencoded' }, 'out_trade_no=T1&sign=forged', 'text/plain', 'fail'],
  ] as const)('%s: a forged notification is refused with a documented 4xx in the platform’s own shape', async (channel, headers, body, type, expected) => {
    const response = await fetch(`${platform.url}/v1/payments/${channel}/notify`, { method: 'POST', headers, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain(type);
    const text = await response.text();
    if (typeof expected === 'string') expect(text).toBe(expected);
    else expect(JSON.parse(text)).toMatchObject(expected);
    expect(doc.paths[`/v1/payments/${channel}/notify`].post.responses['400'].content[type]).toBeDefined();
  });
});
