/**
 * Staff roles at the API: every admin route says which roles may call it (its contract's `roles`),
 * and the route layer refuses every other role with one FORBIDDEN, before it reads the input. The
 * table below is built from the contracts, so a new staff route without roles fails here. Also: a
 * finance user cannot adjust a balance (and nothing changes), older `supervisor` records are
 * administrators, sessions run out (injected clock), the administrator's staff management, and every
 * action route that changes something says why.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SESSION_SECONDS, issueAdminSession } from '../../functions/auth/admin-session';
import { campusDay } from '../../functions/domain/campus-day';
import { hashStaffPassword } from '../../functions/domain/staff';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { keys } from '../../functions/store/keys';
import type { RouteContract } from '../../shared/api/contract';
import { ROUTES } from '../../shared/api/routes';
import { errorBody } from '../../shared/errors';
import { STAFF_ROLES, type StaffRole } from '../../shared/vocabulary';
import { createTestAccount, ledgerOf } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const PASSWORD = 'roles test password 2026';
const tokens = {} as Record<StaffRole, string>;
const ADMIN_ROUTES = ROUTES.filter((contract) => contract.auth === 'admin') as readonly RouteContract[];

const request = platform.request;

const signIn = (username: string, password = PASSWORD) => request('POST', '/v1/admin/sessions', { body: { username, password } });

beforeAll(async () => {
  for (const role of STAFF_ROLES) {
    await createStaffMember(platform.deps, { username: `r.${role}`, role, password: PASSWORD });
    tokens[role] = (await signIn(`r.${role}`)).body.token;
  }
});

/** A path of the route with made-up parameters: the roles are checked before the path is read. */
const pathOf = (contract: RouteContract) => contract.path.replace(/\{(\w+)\}/g, (_whole, name: string) => (name === 'accountNo' ? '999999' : `none-${name.toLowerCase()}`));

describe('every admin route names the roles that may call it', () => {
  it('each staff contract has roles, all of them known roles, and documents FORBIDDEN', () => {
    expect(ADMIN_ROUTES.length).toBeGreaterThan(30);
    for (const contract of ADMIN_ROUTES) {
      expect(contract.roles?.length, `${contract.operationId} has no roles`).toBeGreaterThan(0);
      for (const role of contract.roles ?? []) expect(STAFF_ROLES, contract.operationId).toContain(role);
      expect(contract.errors, contract.operationId).toContain('FORBIDDEN');
      // Administrators may do everything; read-only routes are the auditor's too, and the auditor changes nothing.
      expect(contract.roles, contract.operationId).toContain('administrator');
      if (contract.method === 'GET') expect(contract.roles, contract.operationId).toContain('auditor');
      else expect(contract.roles, contract.operationId).not.toContain('auditor');
    }
  });

  describe.each(ADMIN_ROUTES.map((contract) => [contract.operationId, contract] as const))('%s', (_name, contract) => {
    it.each([...STAFF_ROLES])('as %s: authorized if listed, else 403 FORBIDDEN with the one message', async (role) => {
      // A body that fails validation: a listed role gets past the roles (and changes nothing), another is refused first.
      const response = await request(contract.method, pathOf(contract), { token: tokens[role], ...(contract.body ? { body: { unexpected: true } } : {}) });
      if (contract.roles?.includes(role)) {
        expect(response.status, `${role} on ${contract.operationId}: ${JSON.stringify(response.body)}`).not.toBe(403);
      } else {
        expect(response.status).toBe(403);
        const { requestId: _id, ...body } = response.body;
        const { requestId: _none, ...expected } = errorBody('FORBIDDEN', {});
        expect(body).toEqual(expected);
      }
    });
  });
});

describe('a finance user and an operator action', () => {
  it('is refused an adjustment (403) and nothing changes: no ledger entry, no balance, no log entry', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const body = { direction: 'credit', amountFen: 500, reason: 'finance tries an adjustment', adjustmentId: 'adj-fin-1' };
    const refused = await request('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { token: tokens.finance, body });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_000);
    expect((await ledgerOf(platform.deps, account.accountNo)).filter((entry) => entry.type === 'adjustment')).toEqual([]);
    const log = (await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 })).entries;
    expect(log.filter((entry) => entry.target === `account:${account.accountNo}`)).toEqual([]);
    // The same request by an operator goes through: the refusal was the role's.
    const done = await request('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { token: tokens.operator, body });
    expect(done.status).toBe(200);
    expect(done.body.balanceFen).toBe(1_500);
  });

  it('the roles are checked before the input: a finance user’s bad adjustment is 403, not 400', async () => {
    const refused = await request('POST', '/v1/admin/accounts/not-a-number/adjustments', { token: tokens.finance, body: { nonsense: 1 } });
    expect(refused.status).toBe(403);
  });
});

describe('older staff records', () => {
  it('a stored supervisor signs in and acts as an administrator', async () => {
    const now = new Date();
    await platform.deps.db.doc.send(
      new PutCommand({
        TableName: platform.deps.db.tableName,
        Item: { ...keys.staff('old.sup'), username: 'old.sup', role: 'supervisor', status: 'active', password: await hashStaffPassword(PASSWORD, 'old.sup', now), version: 0, createdAt: now.toISOString() },
      }),
    );
    const session = await signIn('old.sup');
    expect(session.body).toMatchObject({ username: 'old.sup', role: 'administrator' });
    expect((await request('GET', `/v1/admin/audit?day=${campusDay(now)}`, { token: session.body.token })).status).toBe(200);
    // A token issued before the rename, carrying `supervisor`, is still read (the role comes from the record anyway).
    const old = await issueAdminSession(process.env.SESSION_SECRET!, { username: 'old.sup', role: 'supervisor' as StaffRole }, now);
    expect((await request('GET', '/v1/admin/policy', { token: old.token })).status).toBe(200);
  });
});

describe('sessions expire', () => {
  let realClock: typeof platform.deps.clock;
  beforeAll(() => {
    realClock = platform.deps.clock;
  });
  afterEach(() => {
    platform.deps.clock = realClock;
  });

  it(`a staff session works for ${ADMIN_SESSION_SECONDS / 3600} hours, then answers SESSION_EXPIRED (injected clock)`, async () => {
    const start = new Date('2026-11-02T00:30:00Z');
    platform.deps.clock = () => start;
    const { token } = (await signIn('r.auditor')).body;
    platform.deps.clock = () => new Date(start.getTime() + (ADMIN_SESSION_SECONDS - 60) * 1000);
    expect((await request('GET', '/v1/admin/policy', { token })).status).toBe(200);
    platform.deps.clock = () => new Date(start.getTime() + (ADMIN_SESSION_SECONDS + 1) * 1000);
    const expired = await request('GET', '/v1/admin/policy', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('SESSION_EXPIRED');
  });
});

describe('staff management (administrators)', () => {
  it('creates a staff member with a role, lists them, disables them (their session stops at once), each logged', async () => {
    const created = await request('POST', '/v1/admin/staff', { token: tokens.administrator, body: { username: 'new.fin', role: 'finance', password: 'new finance 2026', reason: 'joined the settlement centre' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username: 'new.fin', role: 'finance', status: 'active', createdAt: expect.any(String) });
    const again = await request('POST', '/v1/admin/staff', { token: tokens.administrator, body: { username: 'new.fin', role: 'operator', password: 'other password 2026', reason: 'again' } });
    expect(again.body.code).toBe('STAFF_EXISTS');
    const weak = await request('POST', '/v1/admin/staff', { token: tokens.administrator, body: { username: 'weak.one', role: 'operator', password: 'aaaaaaaaaaaa', reason: 'weak password' } });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('STAFF_PASSWORD_WEAK');

    const session = await signIn('new.fin', 'new finance 2026');
    expect(session.body.role).toBe('finance');
    const list = await request('GET', '/v1/admin/staff', { token: tokens.auditor });
    expect(list.status).toBe(200);
    expect(list.body.staff.map((member: { username: string }) => member.username)).toEqual(expect.arrayContaining(['new.fin', 'r.operator', 'r.administrator']));
    expect(JSON.stringify(list.body)).not.toMatch(/hash|salt|password/i);

    const disabled = await request('POST', '/v1/admin/staff/new.fin/disable', { token: tokens.administrator, body: { reason: 'left the university' } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    expect((await request('GET', '/v1/admin/policy', { token: session.body.token })).status).toBe(401);
    expect((await request('POST', '/v1/admin/staff/new.fin/disable', { token: tokens.administrator, body: { reason: 'again' } })).body.code).toBe('STAFF_ALREADY_DISABLED');
    expect((await request('POST', '/v1/admin/staff/no.body/disable', { token: tokens.administrator, body: { reason: 'nobody' } })).body.code).toBe('STAFF_NOT_FOUND');
    expect((await request('POST', '/v1/admin/staff/r.administrator/disable', { token: tokens.administrator, body: { reason: 'myself' } })).body.code).toBe('STAFF_DISABLE_SELF');
    expect((await request('POST', '/v1/admin/staff/new.fin/disable', { token: tokens.administrator, body: {} })).body.code).toBe('VALIDATION_FAILED');

    const log = (await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 })).entries.filter((entry) => entry.target === 'staff:new.fin');
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ who: 'r.administrator', role: 'administrator', action: 'staff.create', reason: 'joined the settlement centre', details: { role: 'finance' } }),
        expect.objectContaining({ who: 'r.administrator', action: 'staff.disable', reason: 'left the university' }),
      ]),
    );
    expect(log.filter((entry) => entry.action === 'staff.create')).toHaveLength(1);
  });
});

describe('action routes say why', () => {
  /** Issuing is its own reason (the card or account issued is the what and the why); every other change needs one. */
  const REASON_OPTIONAL = ['importAccounts', 'issueAccount', 'issuePhysicalCard', 'issueReplacementCard'];

  it('every staff route that changes something requires a reason in its body', () => {
    for (const contract of ADMIN_ROUTES) {
      if (contract.method === 'GET' || REASON_OPTIONAL.includes(contract.operationId)) continue;
      expect(contract.body, contract.operationId).toBeDefined();
      const withoutReason = contract.body!.safeParse({});
      expect(withoutReason.success, contract.operationId).toBe(false);
      const issues = withoutReason.error?.issues ?? [];
      expect(
        issues.some((issue) => issue.path[0] === 'reason'),
        `${contract.operationId} must require a reason`,
      ).toBe(true);
    }
  });
});
