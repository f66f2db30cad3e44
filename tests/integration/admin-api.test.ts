/**
 * The card centre's admin API over HTTP on DynamoDB Local: staff sessions and who may call what,
 * batch and single issue, card issue, password reset, unfreeze, adjustments, terminations, policy,
 * and the audit log (who, when, why; committed with the change or not at all). ID numbers go in but
 * never come out, in answers or in logs.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueAdminSession } from '../../functions/auth/admin-session';
import type { ActionLogEntry } from '../../functions/domain/action-log';
import { campusDay } from '../../functions/domain/campus-day';
import { addDays } from '../../functions/domain/campus-day';
import { defaultPassword, hashPassword } from '../../functions/domain/passwords';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { demoIdNumber } from '../../functions/local/seed';
import { createLogger } from '../../functions/logger';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { replaceCardAtKiosk } from '../../functions/services/card-lifecycle';
import { topUp } from '../../functions/services/movements';
import { verifyHolderPassword } from '../../functions/services/passwords';
import { bindBankCard, changeAccountStatus, findAccountByPersonId, getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import type { DocSend } from '../../functions/store/db';
import { issueCard, listCards } from '../../functions/store/cards';
import { keys } from '../../functions/store/keys';
import { getPasswordRecord, savePasswordRecord } from '../../functions/store/passwords';
import { getPolicy } from '../../functions/store/policy';
import { createTestAccount, createTestTerminal, ledgerOf, setAccountStatus, terminalFetch } from '../helpers/fixtures';
import { holderToken } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });

const SUPERVISOR = { username: 'sup.li', password: 'supervisor pass 2026', role: 'administrator' as const };
const OPERATOR = { username: 'op.wang', password: 'operator pass 2026', role: 'operator' as const };
let supervisorToken = '';
let operatorToken = '';

/** Every log line the platform writes, every answer it gives, and every ID number the tests send: the last checks look for the numbers in the first two. */
const logLines: string[] = [];
const answers: string[] = [];
const idNumbersUsed = new Set<string>();

beforeAll(async () => {
  platform.deps.logger = createLogger('debug', {}, (line) => {
    logLines.push(line);
    return true;
  });
  for (const staff of [SUPERVISOR, OPERATOR]) await createStaffMember(platform.deps, staff);
  supervisorToken = (await signIn(SUPERVISOR.username, SUPERVISOR.password)).body.token;
  operatorToken = (await signIn(OPERATOR.username, OPERATOR.password)).body.token;
});

let idSeq = 500;
/** A fresh valid ID number (GB 11643), remembered for the final checks. */
function newIdNumber(): string {
  const idNumber = demoIdNumber(idSeq++);
  idNumbersUsed.add(idNumber);
  return idNumber;
}
let personSeq = 0;
const newPersonId = () => `2026${String(++personSeq).padStart(6, '0')}`;

async function request(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(platform.url + path, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

function signIn(username: string, password: string) {
  return request('POST', '/v1/admin/sessions', { body: { username, password } });
}
const asSupervisor = (method: string, path: string, body?: unknown) => request(method, path, { token: supervisorToken, body });
const asOperator = (method: string, path: string, body?: unknown) => request(method, path, { token: operatorToken, body });

/** Today's (and, around midnight, yesterday's) audit entries about a target. */
async function auditOf(target: string): Promise<ActionLogEntry[]> {
  const days = [...new Set([campusDay(new Date(Date.now() - 10 * 60_000)), campusDay(new Date())])];
  const entries: ActionLogEntry[] = [];
  for (const day of days) entries.push(...(await listActionLogDay(platform.deps.db, day, { limit: 1000 })).entries);
  return entries.filter((entry) => entry.target === target);
}

interface Person {
  personId: string;
  name: string;
  cardType: string;
  idType: string;
  idNumber: string;
  mobile: string;
  expiresOn?: string;
}

function person(overrides: Partial<Person> = {}): Person {
  return { personId: newPersonId(), name: '王小明', cardType: 'student', idType: 'id_card', idNumber: newIdNumber(), mobile: '13800138000', ...overrides };
}

const COLUMNS = ['personId', 'name', 'cardType', 'idType', 'idNumber', 'mobile', 'expiresOn'] as const;
function csvOf(people: Partial<Person>[], columns: readonly string[] = COLUMNS): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [columns.join(','), ...people.map((p) => columns.map((column) => quote((p as Record<string, string>)[column] ?? '')).join(','))].join('\r\n') + '\r\n';
}

function importList(people: Partial<Person>[], kind: 'registrar' | 'hr' = 'registrar', token = operatorToken) {
  return request('POST', '/v1/admin/imports', { token, body: { kind, csv: csvOf(people), reason: `${kind} list, autumn intake` } });
}

/** An account issued through the API, with its person. */
async function issued(overrides: Partial<Person> = {}) {
  const who = person(overrides);
  const response = await asOperator('POST', '/v1/admin/accounts', who);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { person: who, accountNo: response.body.accountNo as string };
}

describe('staff sessions and who may call admin routes', () => {
  it('signs staff in with their own credentials and audits it', async () => {
    const response = await signIn(SUPERVISOR.username, SUPERVISOR.password);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ username: 'sup.li', role: 'administrator', token: expect.any(String) });
    expect(Date.parse(response.body.expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    const entries = await auditOf('staff:sup.li');
    expect(entries.some((entry) => entry.action === 'session.start' && entry.who === 'sup.li')).toBe(true);
  });

  it('answers a wrong password and an unknown username alike, and locks after five wrong passwords', async () => {
    await createStaffMember(platform.deps, { username: 'op.zhao', password: 'zhao password 2026', role: 'operator' });
    const unknown = await signIn('nobody', 'whatever password');
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('UNAUTHENTICATED');
    for (let i = 1; i <= 4; i++) {
      const wrong = await signIn('op.zhao', `wrong password ${i}`);
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('UNAUTHENTICATED');
    }
    expect((await signIn('op.zhao', 'wrong password 5')).body.code).toBe('PASSWORD_LOCKED');
    const locked = await signIn('op.zhao', 'zhao password 2026');
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('PASSWORD_LOCKED');
    const refusals = (await auditOf('staff:op.zhao')).filter((entry) => entry.action === 'session.refused');
    expect(refusals.map((entry) => entry.details.failedAttempts)).toEqual([1, 2, 3, 4, 0]);
    expect(refusals[4]!.details.locked).toBe(true);
  });

  it.each([
    ['no token', {}],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
  ])('refuses %s with 401 on every admin route', async (_name, headers) => {
    for (const [method, path] of [
      ['GET', '/v1/admin/policy'],
      ['GET', '/v1/admin/accounts/100001'],
      ['POST', '/v1/admin/imports'],
      ['GET', '/v1/admin/audit?day=2026-09-01'],
    ] as const) {
      const response = await request(method, path, { headers, ...(method === 'POST' ? { body: {} } : {}) });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a holder’s session token (another audience) with 401', async () => {
    const account = await createTestAccount(platform.deps);
    const response = await request('GET', `/v1/admin/accounts/${account.accountNo}`, { token: await holderToken(account.accountNo) });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a terminal-signed request with 401', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const response = await terminalFetch(platform.url, terminal, 'PUT', '/v1/admin/policy', { policy: DEFAULT_POLICY, reason: 'from a POS' });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });

  it('an admin token is not a holder token either', async () => {
    const response = await request('GET', '/v1/holder/account', { token: supervisorToken });
    expect(response.status).toBe(401);
  });

  it('refuses an expired admin session with SESSION_EXPIRED, and a disabled staff member at once', async () => {
    const old = await issueAdminSession(process.env.SESSION_SECRET!, { username: 'sup.li', role: 'administrator' }, new Date(Date.now() - 9 * 3600_000));
    expect((await request('GET', '/v1/admin/policy', { token: old.token })).body.code).toBe('SESSION_EXPIRED');

    await createStaffMember(platform.deps, { username: 'op.leaver', password: 'leaver password 1', role: 'operator' });
    const { token } = (await signIn('op.leaver', 'leaver password 1')).body;
    expect((await request('GET', '/v1/admin/policy', { token })).status).toBe(200);
    await platform.deps.db.doc.send(
      new UpdateCommand({ TableName: platform.tableName, Key: keys.staff('op.leaver'), UpdateExpression: 'SET #status = :disabled', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':disabled': 'disabled' } }),
    );
    expect((await request('GET', '/v1/admin/policy', { token })).status).toBe(401);
  });

  it('an operator may not change policy or read the audit log (FORBIDDEN), and nothing changes', async () => {
    const before = await getPolicy(platform.deps.db);
    const put = await asOperator('PUT', '/v1/admin/policy', { policy: { ...before, replacementFeeFen: 1 }, reason: 'cheaper cards' });
    expect(put.status).toBe(403);
    expect(put.body.code).toBe('FORBIDDEN');
    expect(await getPolicy(platform.deps.db)).toEqual(before);
    expect((await auditOf('policy')).filter((entry) => entry.who === OPERATOR.username)).toEqual([]);
    expect((await asOperator('GET', `/v1/admin/audit?day=${campusDay(new Date())}`)).status).toBe(403);
  });
});

describe('POST /v1/admin/imports', () => {
  it('issues each valid row: balance 0, active, default passwords, identity kept only as masks and digests', async () => {
    const student = person({ name: 'Smith, "Jo"' });
    const visitor = person({ cardType: 'temporary', expiresOn: addDays(campusDay(new Date()), 180), idType: 'passport', idNumber: 'E12345678', mobile: '+852 9123 4567' });
    idNumbersUsed.add('E12345678');
    const response = await importList([student, visitor]);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ rows: 2, created: 2, unchanged: 0, updated: 0, rejected: [] });
    const [first, second] = response.body.accounts;
    expect(first).toMatchObject({ line: 2, personId: student.personId, outcome: 'created', accountNo: expect.stringMatching(/^\d{6,}$/) });
    expect(Number(second.accountNo)).toBe(Number(first.accountNo) + 1);

    const account = (await getAccount(platform.deps.db, first.accountNo))!;
    expect(account).toMatchObject({ personId: student.personId, holderName: 'Smith, "Jo"', cardType: 'student', status: 'active', balanceFen: 0, idType: 'id_card', idNumberMasked: expect.stringContaining('*'), mobileMasked: '138****8000', dailyLimitFen: DEFAULT_POLICY.defaultDailyLimitFen });
    expect(JSON.stringify(account)).not.toContain(student.idNumber);
    expect(JSON.stringify(account)).not.toContain('13800138000');
    for (const kind of ['query', 'consumption'] as const) {
      expect((await getPasswordRecord(platform.deps.db, first.accountNo, kind))?.isDefault).toBe(true);
      await verifyHolderPassword(platform.deps, first.accountNo, kind, defaultPassword(student.idNumber, DEFAULT_POLICY.idNumberX)!);
    }
    const temporary = (await getAccount(platform.deps.db, second.accountNo))!;
    expect(temporary).toMatchObject({ cardType: 'temporary', expiresOn: visitor.expiresOn, idType: 'passport', mobileMasked: '852****4567' });
    await verifyHolderPassword(platform.deps, second.accountNo, 'query', '345678');
  });

  it('audits the import and every account it opened, with who, when and why', async () => {
    const people = [person(), person()];
    const response = await importList(people);
    const importEntries = await auditOf(`import:${response.body.importId}`);
    expect(importEntries).toEqual([
      expect.objectContaining({ who: OPERATOR.username, role: 'operator', action: 'import', reason: 'registrar list, autumn intake', details: expect.objectContaining({ kind: 'registrar', rows: 2, created: 2, rejected: 0 }) }),
    ]);
    for (const { accountNo, line } of response.body.accounts) {
      const [entry] = await auditOf(`account:${accountNo}`);
      expect(entry).toMatchObject({ who: OPERATOR.username, action: 'account.issue', reason: 'registrar list, autumn intake', details: { importId: response.body.importId, line, cardType: 'student' } });
      expect(Date.parse(entry!.at)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('is idempotent: the same list again is unchanged; new name, mobile or expiry update; balances never change', async () => {
    const people = [person(), person(), person({ cardType: 'temporary', expiresOn: addDays(campusDay(new Date()), 30) })];
    const first = await importList(people);
    expect(first.body.created).toBe(3);
    const [a, b, c] = first.body.accounts.map((row: { accountNo: string }) => row.accountNo);
    await topUp(platform.deps, { accountNo: a, amountFen: 5_000, channel: 'counter', externalRef: `reimport-${a}` });

    const again = await importList(people);
    expect(again.body).toMatchObject({ created: 0, unchanged: 3, updated: 0, rejected: [] });
    expect(again.body.accounts.map((row: { accountNo: string }) => row.accountNo)).toEqual([a, b, c]);

    const renewed = addDays(campusDay(new Date()), 300);
    const changed = await importList([{ ...people[0]!, name: '王晓明' }, { ...people[1]!, mobile: '13900139000' }, { ...people[2]!, expiresOn: renewed }]);
    expect(changed.body).toMatchObject({ created: 0, unchanged: 0, updated: 3, rejected: [] });
    expect(await getAccount(platform.deps.db, a)).toMatchObject({ holderName: '王晓明', balanceFen: 5_000 });
    expect(await getAccount(platform.deps.db, b)).toMatchObject({ mobileMasked: '139****9000' });
    expect(await getAccount(platform.deps.db, c)).toMatchObject({ expiresOn: renewed });
    expect((await auditOf(`account:${a}`)).map((entry) => entry.action)).toEqual(['account.issue', 'account.update']);
    expect((await auditOf(`account:${a}`))[1]!.details.changed).toEqual(['holderName']);
    expect(await ledgerOf(platform.deps, a)).toHaveLength(1);
  });

  it('reports each rejected row by line with its reasons, and still issues the valid rows', async () => {
    const good = person();
    const dupe = person();
    const staffOnRegistrar = person({ cardType: 'staff' });
    const badCheck = person();
    badCheck.idNumber = badCheck.idNumber.slice(0, 17) + (badCheck.idNumber.endsWith('0') ? '1' : '0');
    idNumbersUsed.add(badCheck.idNumber);
    const lateTemporary = person({ cardType: 'temporary', expiresOn: addDays(campusDay(new Date()), 400) });
    const noExpiry = person({ cardType: 'temporary' });
    const studentWithExpiry = person({ expiresOn: addDays(campusDay(new Date()), 10) });
    const badMobile = person({ mobile: '12345' });
    const csv =
      csvOf([good, dupe, staffOnRegistrar, badCheck, lateTemporary, noExpiry, studentWithExpiry, badMobile, { ...dupe, name: '另一个' }]) +
      `${newPersonId()},too few fields\r\n` +
      `${newPersonId()},bad"quote,student,id_card,${newIdNumber()},13800138000,\r\n`;
    const response = await request('POST', '/v1/admin/imports', { token: operatorToken, body: { kind: 'registrar', csv } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ rows: 11, created: 1, unchanged: 0, updated: 0 });
    expect(response.body.accounts).toEqual([expect.objectContaining({ line: 2, personId: good.personId, outcome: 'created' })]);
    const byLine = Object.fromEntries(response.body.rejected.map((row: { line: number; reasons: string[] }) => [row.line, row.reasons]));
    expect(byLine).toEqual({
      3: ['duplicate personId in this file (lines 3, 10)', 'duplicate idNumber in this file (lines 3, 10)'],
      4: ['cardType must be one of student, temporary'],
      5: ['idNumber is not a valid 18-character ID number'],
      6: [expect.stringMatching(/^temporary cards need expiresOn within 365 days/)],
      7: [expect.stringMatching(/^temporary cards need expiresOn within 365 days/)],
      8: ['expiresOn is only for temporary cards'],
      9: ['mobile is not a valid mobile number (11 digits, or +country code and number)'],
      10: ['duplicate personId in this file (lines 3, 10)', 'duplicate idNumber in this file (lines 3, 10)'],
      11: ['expected 7 fields as in the header, found 2'],
      12: [expect.stringContaining('quote inside an unquoted field')],
    });
    expect(response.body.rejected.find((row: { line: number }) => row.line === 4).personId).toBe(staffOnRegistrar.personId);
    for (const rejected of [dupe, staffOnRegistrar, badCheck, lateTemporary]) expect(await findAccountByPersonId(platform.deps.db, rejected.personId)).toBeUndefined();
  });

  it('refuses a re-import that changes a person’s ID number or card type (the account stays as it is)', async () => {
    const someone = person();
    const first = await importList([someone]);
    const accountNo = first.body.accounts[0].accountNo;
    const otherId = await importList([{ ...someone, idNumber: newIdNumber() }]);
    expect(otherId.body.rejected).toMatchObject([{ line: 2, personId: someone.personId, reasons: ['idType or idNumber differs from the account already issued for this personId'] }]);
    const otherType = await importList([{ ...someone, cardType: 'staff' }], 'hr');
    expect(otherType.body.rejected[0].reasons).toEqual(['cardType differs from the account already issued for this personId (student)']);
    expect((await auditOf(`account:${accountNo}`)).map((entry) => entry.action)).toEqual(['account.issue']);
  });

  it('two imports of the same list at once open each account once', async () => {
    const people = [person(), person(), person()];
    const [x, y] = await Promise.all([importList(people), importList(people)]);
    expect(x.body.created + y.body.created).toBe(3);
    expect(x.body.unchanged + y.body.unchanged).toBe(3);
    expect(x.body.accounts.map((row: { accountNo: string }) => row.accountNo)).toEqual(y.body.accounts.map((row: { accountNo: string }) => row.accountNo));
  });

  it.each([
    ['an unknown kind', { kind: 'alumni', csv: 'personId\n1\n' }],
    ['no csv', { kind: 'registrar' }],
    ['a header without the required columns', { kind: 'registrar', csv: 'personId,name\n2026999999,王五\n' }],
    ['an empty file', { kind: 'registrar', csv: '\r\n\r\n' }],
    ['more than 1 MB', { kind: 'registrar', csv: 'x'.repeat(1024 * 1024 + 1) }],
    ['a reason quoting an ID number', { kind: 'registrar', csv: 'personId\n', reason: `for ${demoIdNumber(999)}` }],
  ])('refuses %s with 400 VALIDATION_FAILED, creating nothing', async (_name, body) => {
    const imports = async () => (await listActionLogDay(platform.deps.db, campusDay(new Date()), { limit: 1000 })).entries.filter((entry) => entry.action === 'import').length;
    const before = await imports();
    const response = await request('POST', '/v1/admin/imports', { token: operatorToken, body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(await findAccountByPersonId(platform.deps.db, '2026999999')).toBeUndefined();
    expect(await imports()).toBe(before);
  });

  it('refuses a list longer than 1,000 rows (split it)', async () => {
    const rows = Array.from({ length: 1_001 }, (_, i) => `X${i},n,student,id_card,1,1,`).join('\n');
    const response = await request('POST', '/v1/admin/imports', { token: operatorToken, body: { kind: 'registrar', csv: `${COLUMNS.join(',')}\n${rows}\n` } });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].problem).toContain('at most 1000 rows');
  });
});

describe('POST /v1/admin/accounts (one person at the counter)', () => {
  it('opens the account (201), answers a repeat as unchanged (200), and refuses another ID number for the same person (409)', async () => {
    const { person: someone, accountNo } = await issued({ cardType: 'merchant' });
    const again = await asOperator('POST', '/v1/admin/accounts', someone);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ outcome: 'unchanged', accountNo, personId: someone.personId });
    const conflict = await asOperator('POST', '/v1/admin/accounts', { ...someone, idNumber: newIdNumber() });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('PERSON_ID_CONFLICT');
    expect((await auditOf(`account:${accountNo}`)).map((entry) => [entry.action, entry.reason])).toEqual([['account.issue', 'issued at the card centre']]);
  });

  it('refuses a bad row with 400 VALIDATION_FAILED naming the fields, and opens nothing', async () => {
    const bad = person({ cardType: 'temporary', mobile: '110' });
    bad.idNumber = bad.idNumber.slice(0, 17) + (bad.idNumber.endsWith('1') ? '2' : '1');
    idNumbersUsed.add(bad.idNumber);
    const response = await asOperator('POST', '/v1/admin/accounts', bad);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['expiresOn', 'idNumber', 'mobile']);
    expect(await findAccountByPersonId(platform.deps.db, bad.personId)).toBeUndefined();
  });

  it('the change and its audit entry commit together: if the entry cannot be written, no account is opened', async () => {
    const someone = person();
    const response = await withFailingAuditWrites(() => asOperator('POST', '/v1/admin/accounts', someone));
    expect(response.status).toBe(500);
    expect(await findAccountByPersonId(platform.deps.db, someone.personId)).toBeUndefined();
  });
});

describe('GET /v1/admin/accounts/{accountNo}', () => {
  it('shows the account with the ID number and mobile masked, and audits the look', async () => {
    const { person: someone, accountNo } = await issued();
    await bindBankCard(platform.deps.db, accountNo, '6222020000123456');
    const response = await asOperator('GET', `/v1/admin/accounts/${accountNo}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      accountNo,
      personId: someone.personId,
      holderName: someone.name,
      status: 'active',
      idType: 'id_card',
      idNumberMasked: expect.stringMatching(/^\d{6}\*+/),
      mobileMasked: '138****8000',
      bankCardNoMasked: '••••3456',
      balanceFen: 0,
      passwords: [
        { kind: 'query', set: true, isDefault: true },
        { kind: 'consumption', set: true, isDefault: true },
      ],
    });
    expect(JSON.stringify(response.body)).not.toContain(someone.idNumber);
    expect(JSON.stringify(response.body)).not.toContain('6222020000123456');
    expect((await auditOf(`account:${accountNo}`)).map((entry) => entry.action)).toContain('account.view');
    expect((await asOperator('GET', '/v1/admin/accounts/99999999')).body.code).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe('POST /v1/admin/accounts/{accountNo}/cards', () => {
  it('issues the physical card once; a second card or a taken chip is refused', async () => {
    const { accountNo } = await issued();
    const response = await asOperator('POST', `/v1/admin/accounts/${accountNo}/cards`, { kind: 'cpu', chipUid: '04aa00bb11cc22' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ cardId: 'C04AA00BB11CC22', kind: 'cpu', status: 'active', chipUidMasked: '••••CC22' });
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ activePhysicalCardId: 'C04AA00BB11CC22', activeChipUid: '04AA00BB11CC22' });
    expect((await asOperator('POST', `/v1/admin/accounts/${accountNo}/cards`, { kind: 'm1', chipUid: '04AA00BB11CC99' })).body.code).toBe('CARD_ALREADY_ISSUED');
    const other = await issued();
    expect((await asOperator('POST', `/v1/admin/accounts/${other.accountNo}/cards`, { kind: 'cpu', chipUid: '04AA00BB11CC22' })).body.code).toBe('CARD_UID_TAKEN');
    expect((await auditOf(`account:${accountNo}`)).filter((entry) => entry.action === 'card.issue')).toEqual([
      expect.objectContaining({ who: OPERATOR.username, reason: 'card issued', details: { cardId: 'C04AA00BB11CC22', kind: 'cpu' } }),
    ]);
    expect((await auditOf(`account:${other.accountNo}`)).filter((entry) => entry.action === 'card.issue')).toEqual([]);
    expect((await asOperator('POST', `/v1/admin/accounts/${accountNo}/cards`, { kind: 'cpu', chipUid: 'not-hex' })).status).toBe(400);
  });
});

describe('POST /v1/admin/accounts/{accountNo}/password-resets', () => {
  it('with the holder’s ID number: back to the default, lock cleared; a wrong ID number changes nothing', async () => {
    const { person: someone, accountNo } = await issued();
    // The holder changed the password, forgot it, and locked it.
    await savePasswordRecord(platform.deps.db, accountNo, 'query', await hashPassword('654321', { now: new Date() }), await getPasswordRecord(platform.deps.db, accountNo, 'query'));
    for (let i = 0; i < 5; i++) await verifyHolderPassword(platform.deps, accountNo, 'query', '000000').catch(() => undefined);
    expect((await getPasswordRecord(platform.deps.db, accountNo, 'query'))?.lockedUntil).toBeDefined();

    const wrong = await asOperator('POST', `/v1/admin/accounts/${accountNo}/password-resets`, { kind: 'query', idNumber: newIdNumber(), reason: 'forgot the password' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('IDENTITY_MISMATCH');
    expect((await auditOf(`account:${accountNo}`)).filter((entry) => entry.action === 'password.reset')).toEqual([]);

    const reset = await asOperator('POST', `/v1/admin/accounts/${accountNo}/password-resets`, { kind: 'query', idNumber: someone.idNumber.toLowerCase(), reason: 'forgot the password' });
    expect(reset.status).toBe(201);
    expect(reset.body).toMatchObject({ kind: 'query', isDefault: true });
    const record = await getPasswordRecord(platform.deps.db, accountNo, 'query');
    expect(record).toMatchObject({ isDefault: true, failedAttempts: 0 });
    expect(record?.lockedUntil).toBeUndefined();
    await verifyHolderPassword(platform.deps, accountNo, 'query', defaultPassword(someone.idNumber, DEFAULT_POLICY.idNumberX)!);
    expect((await auditOf(`account:${accountNo}`)).filter((entry) => entry.action === 'password.reset')).toEqual([
      expect.objectContaining({ who: OPERATOR.username, reason: 'forgot the password', details: { kind: 'query' } }),
    ]);
  });

  it('refuses an account with no ID number on file, and a closed account', async () => {
    const legacy = await createTestAccount(platform.deps);
    const response = await asOperator('POST', `/v1/admin/accounts/${legacy.accountNo}/password-resets`, { kind: 'consumption', idNumber: newIdNumber(), reason: 'forgot it' });
    expect(response.body.code).toBe('IDENTITY_NOT_ON_FILE');
    const { person: someone, accountNo } = await issued();
    await setAccountStatus(platform.deps, accountNo, 'cancelled');
    expect((await asOperator('POST', `/v1/admin/accounts/${accountNo}/password-resets`, { kind: 'query', idNumber: someone.idNumber, reason: 'forgot it' })).body.code).toBe('CARD_CANCELLED');
  });
});

async function blockedIndexHas(accountNo: string): Promise<boolean> {
  const { Items } = await platform.deps.db.doc.send(
    new QueryCommand({
      TableName: platform.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk = :sk',
      ExpressionAttributeValues: { ':pk': keys.blockedAccountIndex(accountNo).gsi2pk, ':sk': accountNo },
    }),
  );
  return (Items ?? []).length > 0;
}

describe('POST /v1/admin/accounts/{accountNo}/unfreeze', () => {
  it('a frozen account becomes active, leaves the blacklist, and its version moves on', async () => {
    const account = await createTestAccount(platform.deps, { status: 'frozen' });
    expect(await blockedIndexHas(account.accountNo)).toBe(true);
    const response = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/unfreeze`, { reason: 'offline records reconciled' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accountNo: account.accountNo, status: 'active', previousStatus: 'frozen' });
    const after = (await getAccount(platform.deps.db, account.accountNo))!;
    expect(after.status).toBe('active');
    expect(after.version).toBe(account.version + 1);
    expect(await blockedIndexHas(account.accountNo)).toBe(false);
    expect(await auditOf(`account:${account.accountNo}`)).toEqual([
      expect.objectContaining({ who: OPERATOR.username, role: 'operator', action: 'account.unfreeze', reason: 'offline records reconciled', details: { previousStatus: 'frozen' } }),
    ]);
  });

  it('a lost card comes back with its account; a replaced card stays replaced', async () => {
    const lost = await createTestAccount(platform.deps);
    await issueCard(platform.deps.db, { cardId: 'CLOST0001', accountNo: lost.accountNo, kind: 'cpu', chipUid: '0A000000000001', status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
    const card = (await listCards(platform.deps.db, lost.accountNo))[0]!;
    expect(await changeAccountStatus(platform.deps.db, (await getAccount(platform.deps.db, lost.accountNo))!, 'lost', { cardId: card.cardId, status: 'lost' }, new Date().toISOString())).toBe(true);
    expect((await asOperator('POST', `/v1/admin/accounts/${lost.accountNo}/unfreeze`, { reason: 'card found by the holder' })).body.previousStatus).toBe('lost');
    expect((await listCards(platform.deps.db, lost.accountNo))[0]!.status).toBe('active');

    // Lost, replaced at a kiosk (the old card is void forever), then frozen by reconciliation.
    const replaced = await createTestAccount(platform.deps, { balanceFen: 5_000 });
    await savePasswordRecord(platform.deps.db, replaced.accountNo, 'query', await hashPassword('112233', { now: new Date() }), undefined);
    await issueCard(platform.deps.db, { cardId: 'COLD0001', accountNo: replaced.accountNo, kind: 'cpu', chipUid: '0A000000000002', status: 'active', issuedAt: new Date().toISOString(), issuedOn: '2026-09-01' });
    await changeAccountStatus(platform.deps.db, (await getAccount(platform.deps.db, replaced.accountNo))!, 'lost', { cardId: 'COLD0001', chipUid: '0A000000000002', status: 'lost' }, new Date().toISOString());
    const kiosk = await createTestTerminal(platform.deps);
    await replaceCardAtKiosk(platform.deps, kiosk, { replacementId: 'r1', accountNo: replaced.accountNo, queryPassword: '112233', newChipUid: '0A000000000003', newKind: 'cpu' });
    await setAccountStatus(platform.deps, replaced.accountNo, 'frozen');
    expect((await asOperator('POST', `/v1/admin/accounts/${replaced.accountNo}/unfreeze`, { reason: 'reconciled' })).status).toBe(200);
    const cards = Object.fromEntries((await listCards(platform.deps.db, replaced.accountNo)).map((c) => [c.cardId, c.status]));
    expect(cards).toEqual({ COLD0001: 'replaced', C0A000000000003: 'active' });
  });

  it('refuses an active account (ACCOUNT_NOT_FROZEN) and a closed one (CARD_CANCELLED), auditing nothing', async () => {
    const active = await createTestAccount(platform.deps);
    expect((await asOperator('POST', `/v1/admin/accounts/${active.accountNo}/unfreeze`, { reason: 'why not' })).body.code).toBe('ACCOUNT_NOT_FROZEN');
    const closed = await createTestAccount(platform.deps, { status: 'cancelled' });
    expect((await asOperator('POST', `/v1/admin/accounts/${closed.accountNo}/unfreeze`, { reason: 'why not' })).body.code).toBe('CARD_CANCELLED');
    expect(await auditOf(`account:${active.accountNo}`)).toEqual([]);
    expect(await auditOf(`account:${closed.accountNo}`)).toEqual([]);
    expect((await asOperator('POST', `/v1/admin/accounts/${active.accountNo}/unfreeze`, {})).body.code).toBe('VALIDATION_FAILED');
  });

  it('if the audit entry cannot be written, the account stays frozen', async () => {
    const account = await createTestAccount(platform.deps, { status: 'frozen' });
    const response = await withFailingAuditWrites(() => asOperator('POST', `/v1/admin/accounts/${account.accountNo}/unfreeze`, { reason: 'reconciled' }));
    expect(response.status).toBe(503);
    expect((await getAccount(platform.deps.db, account.accountNo))?.status).toBe('frozen');
    expect(await auditOf(`account:${account.accountNo}`)).toEqual([]);
  });
});

describe('POST /v1/admin/accounts/{accountNo}/adjustments', () => {
  it('posts a ledger movement with the operator and reason, audited in the same transaction, once per adjustmentId', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const body = { direction: 'credit', amountFen: 250, reason: 'duplicate offline charge refunded', adjustmentId: 'adj-1' };
    const response = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, body);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ direction: 'credit', amountFen: 250, balanceFen: 1_250, replayed: false });
    const entry = (await ledgerOf(platform.deps, account.accountNo)).find((e) => e.type === 'adjustment');
    expect(entry).toMatchObject({ operator: OPERATOR.username, reason: 'duplicate offline charge refunded', channel: 'admin', receiptNo: response.body.receiptNo });

    const retry = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, body);
    expect(retry.body).toMatchObject({ receiptNo: response.body.receiptNo, replayed: true });
    expect((await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { ...body, amountFen: 300 })).body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await auditOf(`account:${account.accountNo}`)).toEqual([
      expect.objectContaining({
        who: OPERATOR.username,
        action: 'balance.adjust',
        reason: 'duplicate offline charge refunded',
        details: { receiptNo: response.body.receiptNo, direction: 'credit', amountFen: 250, balanceAfterFen: 1_250, adjustmentId: 'adj-1' },
      }),
    ]);
  });

  it('refuses an overdraft (and audits nothing); bad input is 400 with nothing changed', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 100 });
    const over = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { direction: 'debit', amountFen: 101, reason: 'clawback', adjustmentId: 'adj-over' });
    expect(over.body.code).toBe('INSUFFICIENT_BALANCE');
    for (const body of [
      { direction: 'debit', amountFen: -5, reason: 'clawback', adjustmentId: 'adj-neg' },
      { direction: 'debit', amountFen: 1.5, reason: 'clawback', adjustmentId: 'adj-frac' },
      { direction: 'sideways', amountFen: 5, reason: 'clawback', adjustmentId: 'adj-dir' },
      { direction: 'debit', amountFen: 5, adjustmentId: 'adj-noreason' },
      { direction: 'debit', amountFen: 5, reason: 'ok', adjustmentId: 'has space' },
    ]) {
      const response = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(100);
    expect(await ledgerOf(platform.deps, account.accountNo)).toHaveLength(1);
    expect(await auditOf(`account:${account.accountNo}`)).toEqual([]);
  });

  it('if the audit entry cannot be written, no money moves', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const response = await withFailingAuditWrites(() =>
      asOperator('POST', `/v1/admin/accounts/${account.accountNo}/adjustments`, { direction: 'credit', amountFen: 100, reason: 'goodwill', adjustmentId: 'adj-noaudit' }),
    );
    expect(response.status).toBe(503);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_000);
    expect(await ledgerOf(platform.deps, account.accountNo)).toHaveLength(1);
  }, 60_000);
});

describe('POST /v1/admin/accounts/{accountNo}/terminations', () => {
  it('closes a graduate’s account and refunds everything to the bank card on file, audited; a retry replays', async () => {
    const { accountNo } = await issued();
    await topUp(platform.deps, { accountNo, amountFen: 12_345, channel: 'counter', externalRef: `grad-${accountNo}` });
    const noCard = await asSupervisor('POST', `/v1/admin/accounts/${accountNo}/terminations`, { reason: 'graduated', destination: 'bank_card', cancellationId: `grad-${accountNo}` });
    expect(noCard.status).toBe(409);
    expect(noCard.body.code).toBe('BANK_CARD_NOT_BOUND');
    expect((await getAccount(platform.deps.db, accountNo))?.status).toBe('active');

    await bindBankCard(platform.deps.db, accountNo, '6222020000654321');
    const body = { reason: 'graduated', destination: 'bank_card', cancellationId: `grad-${accountNo}`, note: 'class of 2026' };
    const response = await asSupervisor('POST', `/v1/admin/accounts/${accountNo}/terminations`, body);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ refundFen: 12_345, destination: 'bank_card', bankCardNoMasked: '••••4321', status: 'cancelled', replayed: false });
    const account = (await getAccount(platform.deps.db, accountNo))!;
    expect(account).toMatchObject({ status: 'cancelled', balanceFen: 0 });
    expect(await blockedIndexHas(accountNo)).toBe(true);
    const refund = (await ledgerOf(platform.deps, accountNo)).find((e) => e.type === 'cancellation_refund');
    expect(refund).toMatchObject({ amountFen: 12_345, destination: 'bank_card', operator: SUPERVISOR.username, reason: 'graduated: class of 2026' });

    expect((await asSupervisor('POST', `/v1/admin/accounts/${accountNo}/terminations`, body)).body).toMatchObject({ receiptNo: response.body.receiptNo, replayed: true });
    expect((await asSupervisor('POST', `/v1/admin/accounts/${accountNo}/terminations`, { ...body, cancellationId: 'another' })).body.code).toBe('CARD_CANCELLED');
    expect((await auditOf(`account:${accountNo}`)).filter((entry) => entry.action === 'account.terminate')).toEqual([
      expect.objectContaining({ who: SUPERVISOR.username, role: 'administrator', reason: 'graduated: class of 2026', details: expect.objectContaining({ refundFen: 12_345, destination: 'bank_card' }) }),
    ]);
  });

  it('force-terminates a violator with a cash refund; an unknown reason is 400', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 800 });
    const response = await asOperator('POST', `/v1/admin/accounts/${account.accountNo}/terminations`, { reason: 'violation', destination: 'cash', cancellationId: `v-${account.accountNo}` });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ refundFen: 800, destination: 'cash', status: 'cancelled' });
    const other = await createTestAccount(platform.deps, { balanceFen: 800 });
    expect((await asOperator('POST', `/v1/admin/accounts/${other.accountNo}/terminations`, { reason: 'bored', destination: 'cash', cancellationId: 'x' })).status).toBe(400);
    expect((await getAccount(platform.deps.db, other.accountNo))?.status).toBe('active');
  });
});

describe('/v1/admin/policy', () => {
  it('any staff member reads it; a supervisor changes it with a reason, audited with the old and new values', async () => {
    const current = await asOperator('GET', '/v1/admin/policy');
    expect(current.status).toBe(200);
    expect(current.body).toEqual(await getPolicy(platform.deps.db));
    const next = { ...current.body, unfreezeInApp: false, temporaryCardMaxDays: 180 };
    const response = await asSupervisor('PUT', '/v1/admin/policy', { policy: next, reason: 'card-centre meeting 2026-09' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(next);
    expect(await getPolicy(platform.deps.db)).toEqual(next);
    const [entry] = (await auditOf('policy')).filter((e) => e.reason === 'card-centre meeting 2026-09');
    expect(entry).toMatchObject({ who: SUPERVISOR.username, action: 'policy.update', details: { changed: ['unfreezeInApp', 'temporaryCardMaxDays'], unfreezeInApp: 'true → false', temporaryCardMaxDays: '365 → 180' } });
    // Policy rules apply: a temporary card may now run 180 days at most.
    const visitor = person({ cardType: 'temporary', expiresOn: addDays(campusDay(new Date()), 200) });
    expect((await asOperator('POST', '/v1/admin/accounts', visitor)).body.issues[0].problem).toContain('within 180 days');
    await asSupervisor('PUT', '/v1/admin/policy', { policy: current.body, reason: 'back to the defaults' });
  });

  it.each([
    ['a fee above 100 yuan', { replacementFeeFen: 10_001 }],
    ['a temporary card for two years', { temporaryCardMaxDays: 730 }],
    ['a default limit above the maximum', { defaultDailyLimitFen: 30_000, maxDailyLimitFen: 20_000 }],
    ['an unknown X rule', { idNumberX: 'ignore' }],
    ['an unknown setting', { happyHour: true }],
  ])('refuses %s with 400 and changes nothing', async (_name, change) => {
    const before = await getPolicy(platform.deps.db);
    const response = await asSupervisor('PUT', '/v1/admin/policy', { policy: { ...before, ...change }, reason: 'try it' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(await getPolicy(platform.deps.db)).toEqual(before);
  });
});

describe('GET /v1/admin/action-log', () => {
  it('lists a campus day’s actions oldest first, by pages, for supervisors', async () => {
    const day = campusDay(new Date());
    const first = await asSupervisor('GET', `/v1/admin/audit?day=${day}&limit=5`);
    expect(first.status).toBe(200);
    expect(first.body.entries).toHaveLength(5);
    expect(first.body.entries[0]).toMatchObject({ auditId: expect.any(String), at: expect.any(String), who: expect.any(String), role: expect.any(String), action: expect.any(String), reason: expect.any(String) });
    const second = await asSupervisor('GET', `/v1/admin/audit?day=${day}&limit=5&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.entries).toHaveLength(5);
    const ats = [...first.body.entries, ...second.body.entries].map((entry: { at: string }) => entry.at);
    expect([...ats].sort()).toEqual(ats);
    expect(new Set([...first.body.entries, ...second.body.entries].map((entry: { auditId: string }) => entry.auditId)).size).toBe(10);
    expect((await asSupervisor('GET', '/v1/admin/audit?day=2026-13-01')).body.code).toBe('VALIDATION_FAILED');
    expect((await asSupervisor('GET', '/v1/admin/audit?day=2020-01-01')).body).toEqual({ day: '2020-01-01', entries: [] });
  });
});

describe('personal data', () => {
  // Last in the file: looks over every answer and every log line of everything above.
  it('no ID number ever appeared in an answer or a log line, nor a staff password in a log line', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(idNumbersUsed.size).toBeGreaterThan(10);
    const logs = logLines.join('\n');
    const said = answers.join('\n');
    for (const idNumber of idNumbersUsed) {
      expect(logs).not.toContain(idNumber);
      expect(said).not.toContain(idNumber);
    }
    for (const password of [SUPERVISOR.password, OPERATOR.password]) expect(logs).not.toContain(password);
  });
});

/**
 * Runs `action` with every audit entry's write made to fail (its put condition turned false), as a
 * broken audit table would: the change in the same transaction must fail with it.
 */
async function withFailingAuditWrites<T>(action: () => Promise<T>): Promise<T> {
  const db = platform.deps.db;
  const original = db.doc;
  const send = (async (command: unknown) => {
    if (command instanceof TransactWriteCommand) {
      const items = (command.input.TransactItems ?? []).map((item) =>
        String(item.Put?.Item?.pk ?? '').startsWith('AUDIT#') ? { Put: { ...item.Put!, ConditionExpression: 'attribute_exists(pk)' } } : item,
      );
      return original.send(new TransactWriteCommand({ ...command.input, TransactItems: items }));
    }
    return original.send(command as never);
  }) as DocSend['send'];
  db.doc = { send };
  try {
    return await action();
  } finally {
    db.doc = original;
  }
}
