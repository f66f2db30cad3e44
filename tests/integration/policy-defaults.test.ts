/**
 * GET /v1/admin/policy?include=defaults: the console's policy screen shows every setting's current
 * value beside its default. Without include the answer stays the settings alone, as PUT takes them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { campusPolicyAnswer } from '../../shared/api/admin';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { getPolicy } from '../../functions/store/policy';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const ADMIN = { username: 'adm.zhou', password: 'policy defaults 2026', role: 'administrator' as const };
const AUDITOR = { username: 'aud.sun', password: 'auditor reads 2026', role: 'auditor' as const };
const tokens: Record<string, string> = {};

async function request(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(platform.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  for (const staff of [ADMIN, AUDITOR]) {
    await createStaffMember(platform.deps, staff);
    tokens[staff.role] = (await request('POST', '/v1/admin/sessions', undefined, { username: staff.username, password: staff.password })).body.token;
  }
});

describe('GET /v1/admin/policy?include=defaults', () => {
  it('answers the current settings and, beside them, the defaults; a changed setting differs from its default', async () => {
    const changed = { ...DEFAULT_POLICY, replacementFeeFen: 1_500, unfreezeInApp: false };
    expect((await request('PUT', '/v1/admin/policy', tokens.administrator, { policy: changed, reason: '卡务会议决定' })).status).toBe(200);
    const answer = await request('GET', '/v1/admin/policy?include=defaults', tokens.auditor);
    expect(answer.status).toBe(200);
    expect(campusPolicyAnswer.parse(answer.body)).toEqual({ ...changed, defaults: DEFAULT_POLICY });
    // Without include: the settings alone, which PUT takes back unchanged.
    const plain = await request('GET', '/v1/admin/policy', tokens.auditor);
    expect(plain.body).toEqual(changed);
    expect((await request('PUT', '/v1/admin/policy', tokens.administrator, { policy: plain.body, reason: '原样保存' })).status).toBe(200);
    expect(await getPolicy(platform.deps.db)).toEqual(changed);
  });

  it('refuses an unknown include with VALIDATION_FAILED', async () => {
    const answer = await request('GET', '/v1/admin/policy?include=everything', tokens.auditor);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});
