/** The card centre's rules, pure: issue rows, re-import outcomes, staff passwords and sessions, audit entries. */
import { describe, expect, it } from 'vitest';
import { issueAdminSession, verifyAdminSession } from '../../functions/auth/admin-session';
import { issueHolderSession, verifyHolderSession } from '../../functions/auth/holder-session';
import type { Account } from '../../functions/domain/account';
import { actionLogEntry } from '../../functions/domain/action-log';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest } from '../../functions/domain/identity';
import { addDays } from '../../functions/domain/campus-day';
import {
  checkIssueRow,
  compareWithIssued,
  duplicateProblems,
  IMPORT_CARD_TYPES,
  isValidIdCard,
  normalizeMobile,
  type IdentityOnFile,
  type IssueRequest,
  type IssueRow,
} from '../../functions/domain/issuance';
import { hashPassword } from '../../functions/domain/passwords';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { requireRole, staffRoleOf, staffPasswordMatches, staffPasswordProblem } from '../../functions/domain/staff';
import { demoIdNumber } from '../../functions/local/seed';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const TODAY = '2026-09-01';
const context = { today: TODAY, policy: DEFAULT_POLICY, cardTypes: IMPORT_CARD_TYPES.registrar };

function row(overrides: IssueRow = {}): IssueRow {
  return { personId: '2026000001', name: '王小明', cardType: 'student', idType: 'id_card', idNumber: demoIdNumber(1), mobile: '13800138000', ...overrides };
}

function reasons(check: ReturnType<typeof checkIssueRow>): string[] {
  return check.ok ? [] : check.problems.map((problem) => problem.reason);
}

describe('checkIssueRow', () => {
  it('accepts a valid row and gives the default password from the ID number (policy idNumberX)', () => {
    const check = checkIssueRow(row({ idNumber: ' 11010519900307005x ', mobile: '+86 138-0013-8000' }), context);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.request).toMatchObject({ personId: '2026000001', holderName: '王小明', cardType: 'student', idNumber: '11010519900307005X', mobile: '13800138000', defaultPassword: '307005' });
    const replace = checkIssueRow(row({ idNumber: '11010519900307005X' }), { ...context, policy: { ...DEFAULT_POLICY, idNumberX: 'replace' } });
    expect(replace.ok && replace.request.defaultPassword).toBe('070051');
  });

  it.each([
    ['a card type the list may not issue', { cardType: 'staff' }, 'cardType must be one of student, temporary'],
    ['an unknown id type', { idType: 'driver_licence' }, 'idType must be one of id_card, passport'],
    ['a wrong check character', { idNumber: demoIdNumber(1).slice(0, 17) + (demoIdNumber(1).endsWith('0') ? '1' : '0') }, 'idNumber is not a valid 18-character ID number'],
    ['a birth date that does not exist', { idNumber: '110105' + '20230230' + '123' + 'X' }, 'idNumber is not a valid 18-character ID number'],
    ['a 15-character ID number', { idNumber: '110105900307123' }, 'idNumber is not a valid 18-character ID number'],
    ['a passport number with symbols', { idType: 'passport', idNumber: 'E-1234567' }, 'idNumber is not a valid passport number (5 to 20 letters and digits)'],
    ['a passport without a six-digit tail', { idType: 'passport', idNumber: 'E12345ABC' }, 'no default password can be made from this idNumber (its last six characters are not digits)'],
    ['a short mobile', { mobile: '1380013' }, 'mobile is not a valid mobile number (11 digits, or +country code and number)'],
    ['no name', { name: '  ' }, 'name is required'],
    ['a name with a line break', { name: '王\n小明' }, 'name must not contain control characters'],
    ['a person id with spaces', { personId: '2026 0001' }, 'personId must be 1 to 32 letters, digits, "_" or "-"'],
    ['a student with an expiry', { expiresOn: '2027-01-01' }, 'expiresOn is only for temporary cards'],
    ['a temporary card without expiry', { cardType: 'temporary' }, `temporary cards need expiresOn within 365 days (${TODAY} to ${addDays(TODAY, 365)})`],
    ['a temporary card beyond a year', { cardType: 'temporary', expiresOn: addDays(TODAY, 366) }, `temporary cards need expiresOn within 365 days (${TODAY} to ${addDays(TODAY, 365)})`],
    ['a temporary card already expired', { cardType: 'temporary', expiresOn: addDays(TODAY, -1) }, `temporary cards need expiresOn within 365 days (${TODAY} to ${addDays(TODAY, 365)})`],
  ])('refuses %s', (_name, overrides, reason) => {
    expect(reasons(checkIssueRow(row(overrides), context))).toEqual([reason]);
  });

  it('accepts a temporary card up to the last day policy allows, and a passport with a digit tail', () => {
    expect(checkIssueRow(row({ cardType: 'temporary', expiresOn: addDays(TODAY, 365) }), context).ok).toBe(true);
    expect(checkIssueRow(row({ idType: 'passport', idNumber: 'e12345678', mobile: '+852 9123 4567' }), context)).toMatchObject({ ok: true, request: { idNumber: 'E12345678', mobile: '+85291234567', defaultPassword: '345678' } });
  });

  it('reports every problem of a row at once, never quoting the ID number or the mobile', () => {
    const idNumber = demoIdNumber(7).slice(0, 17) + '5';
    const check = checkIssueRow(row({ cardType: 'staff', idNumber, mobile: '12345' }), context);
    expect(reasons(check)).toHaveLength(3);
    expect(JSON.stringify(check)).not.toContain(idNumber);
    expect(JSON.stringify(check)).not.toContain('12345"');
  });

  it('validates real ID numbers: the GB 11643 check character and the birth date', () => {
    for (let seq = 0; seq < 50; seq++) expect(isValidIdCard(demoIdNumber(seq), TODAY)).toBe(true);
    expect(isValidIdCard('11010519900307005X', TODAY)).toBe(true);
    expect(isValidIdCard('11010519900307005X', '1990-03-06')).toBe(false); // not born yet
  });

  it('masks so that nothing of the default password (the last six digits) shows', () => {
    for (const passport of ['E1234', 'E12345678', 'G1234567890', 'PA1234567890123']) {
      expect(maskIdNumber(passport)).toMatch(/^[A-Z0-9]{0,2}\*+$/);
      expect(maskIdNumber(passport).length).toBe(passport.length);
    }
    expect(maskIdNumber('E12345678')).toBe('E1*******');
    expect(maskIdNumber('110105199003071234')).toBe('110105************');
    expect(maskIdNumber('11010519900307123x')).toBe('110105************');
  });

  it('normalises mobiles the way the digests do', () => {
    expect(normalizeMobile('+86 138 0013 8000')).toBe('13800138000');
    expect(normalizeMobile('8613800138000')).toBe('13800138000');
    expect(mobileDigest(SECRET, normalizeMobile('+86 138-0013-8000'))).toBe(mobileDigest(SECRET, '13800138000'));
  });
});

describe('duplicateProblems', () => {
  it('refuses every row of a person or an ID number that appears twice in the file', () => {
    const problems = duplicateProblems([
      { line: 2, personId: 'A', idNumber: 'X1' },
      { line: 3, personId: 'B', idNumber: 'X2' },
      { line: 4, personId: 'A', idNumber: 'X3' },
      { line: 5, personId: 'C', idNumber: 'X2' },
    ]);
    expect(Object.fromEntries(problems)).toEqual({
      2: ['duplicate personId in this file (lines 2, 4)'],
      4: ['duplicate personId in this file (lines 2, 4)'],
      3: ['duplicate idNumber in this file (lines 3, 5)'],
      5: ['duplicate idNumber in this file (lines 3, 5)'],
    });
  });
});

describe('compareWithIssued (re-import)', () => {
  const idNumber = demoIdNumber(3);
  const request: IssueRequest = { personId: 'P1', holderName: '李四', cardType: 'temporary', idType: 'id_card', idNumber, mobile: '13800000001', expiresOn: '2027-01-01', defaultPassword: '000000' };
  const identity: IdentityOnFile = {
    idType: 'id_card',
    idNumberMasked: maskIdNumber(idNumber),
    idNumberDigest: idNumberDigest(SECRET, idNumber),
    mobileMasked: maskMobile('13800000001'),
    mobileDigest: mobileDigest(SECRET, '13800000001'),
  };
  const account = {
    accountNo: '100001',
    personId: 'P1',
    holderName: '李四',
    cardType: 'temporary',
    status: 'active',
    expiresOn: '2027-01-01',
    balanceFen: 1_234,
    ...identity,
  } as Account;

  it('the same data is unchanged; name, mobile and expiry are updates', () => {
    expect(compareWithIssued(account, request, identity)).toEqual({ outcome: 'unchanged' });
    const other = { ...identity, mobileMasked: maskMobile('13900000002'), mobileDigest: mobileDigest(SECRET, '13900000002') };
    expect(compareWithIssued(account, { ...request, holderName: '李四四', expiresOn: '2027-06-01' }, other)).toEqual({
      outcome: 'updated',
      changes: { holderName: '李四四', mobile: { mobileMasked: other.mobileMasked, mobileDigest: other.mobileDigest }, expiresOn: '2027-06-01' },
    });
  });

  it('another ID number or card type, or a change to a closed account, is refused', () => {
    const otherId = { ...identity, idNumberDigest: idNumberDigest(SECRET, demoIdNumber(4)) };
    expect(compareWithIssued(account, request, otherId)).toMatchObject({ outcome: 'rejected', reasons: ['idType or idNumber differs from the account already issued for this personId'] });
    expect(compareWithIssued(account, { ...request, cardType: 'student' }, identity)).toMatchObject({ outcome: 'rejected', reasons: [expect.stringContaining('cardType differs')] });
    expect(compareWithIssued({ ...account, status: 'cancelled' }, request, identity)).toEqual({ outcome: 'unchanged' });
    expect(compareWithIssued({ ...account, status: 'cancelled' }, { ...request, holderName: '王五' }, identity)).toMatchObject({ outcome: 'rejected', reasons: ['the account for this personId is closed'] });
    const { idNumberDigest: _digest, ...withoutIdentity } = account;
    expect(compareWithIssued(withoutIdentity as Account, request, identity)).toMatchObject({ outcome: 'rejected' });
  });
});

describe('staff credentials', () => {
  it.each([
    ['short1234', 'at least 10 characters'],
    ['aaaaaaaaaaaa', 'at least 4 different characters'],
    [' padded password ', 'does not start or end with spaces'],
    ['my-admin-password', 'does not contain the username'],
    ['x'.repeat(100) + 'abcdefghijklmnopqrstuvwxyz0123456789', 'at most 128 characters'],
  ])('refuses the password %j', (password, problem) => {
    expect(staffPasswordProblem(password, 'admin')).toContain(problem);
  });

  it('accepts a long enough password (counted in characters)', () => {
    expect(staffPasswordProblem('correct horse battery', 'admin')).toBeUndefined();
    expect(staffPasswordProblem('卡务中心值班密码二〇二六', 'admin')).toBeUndefined();
  });

  it('matches only the password on record, and refuses an overlong one without hashing it', async () => {
    const now = new Date('2026-09-01T08:00:00Z');
    const record = await hashPassword('correct horse battery', { now, params: { N: 1024, r: 8, p: 1, keyLength: 32 } });
    expect(await staffPasswordMatches(record, 'correct horse battery')).toBe(true);
    expect(await staffPasswordMatches(record, 'wrong password!')).toBe(false);
    expect(await staffPasswordMatches(record, 'x'.repeat(129))).toBe(false);
  });

  it('requireRole passes only the roles listed, and no roles at all passes nobody', () => {
    expect(() => requireRole({ username: 'op', role: 'operator' }, ['administrator'])).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireRole({ username: 'adm', role: 'administrator' }, ['administrator'])).not.toThrow();
    expect(() => requireRole({ username: 'op', role: 'operator' }, ['operator', 'administrator'])).not.toThrow();
    expect(() => requireRole({ username: 'adm', role: 'administrator' }, [])).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireRole({ username: 'adm', role: 'administrator' }, undefined)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('a stored supervisor reads as an administrator; an unknown role as none', () => {
    expect(staffRoleOf('supervisor')).toBe('administrator');
    expect(staffRoleOf('finance')).toBe('finance');
    expect(staffRoleOf('toString')).toBeUndefined();
    expect(staffRoleOf(undefined)).toBeUndefined();
  });
});

describe('admin session tokens', () => {
  const now = new Date('2026-09-01T08:00:00Z');

  it('carry the username and role for 8 hours', async () => {
    const { token, expiresAt } = await issueAdminSession(SECRET, { username: 'zhang.san', role: 'operator' }, now);
    expect(expiresAt.toISOString()).toBe('2026-09-01T16:00:00.000Z');
    expect(await verifyAdminSession(SECRET, token, now)).toEqual({ username: 'zhang.san', role: 'operator', expiresAt });
    await expect(verifyAdminSession(SECRET, token, new Date('2026-09-01T16:00:01Z'))).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(verifyAdminSession(`${SECRET}-other`, token, now)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('are not holder tokens, and holder tokens are not admin tokens (audiences)', async () => {
    const holder = await issueHolderSession(SECRET, '100001', now);
    await expect(verifyAdminSession(SECRET, holder, now)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const { token } = await issueAdminSession(SECRET, { username: 'admin', role: 'administrator' }, now);
    await expect(verifyHolderSession(SECRET, token, now)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('audit entries', () => {
  const actor = { username: 'admin', role: 'administrator' as const };

  it('say who, in which role, when (and which campus day), what, on what and why', () => {
    const entry = actionLogEntry(actor, 'balance.adjust', 'account:100001', 'duplicate charge refunded', { amountFen: 500 }, new Date('2026-09-01T17:30:00Z'));
    expect(entry).toMatchObject({ who: 'admin', role: 'administrator', action: 'balance.adjust', target: 'account:100001', reason: 'duplicate charge refunded', at: '2026-09-01T17:30:00.000Z', campusDay: '2026-09-02', details: { amountFen: 500 } });
    expect(entry.auditId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('refuse anything that looks like an ID number', () => {
    expect(() => actionLogEntry(actor, 'account.issue', 'account:100001', 'ok', { note: `id ${demoIdNumber(9)}` }, new Date())).toThrow(/never be logged/);
    expect(() => actionLogEntry(actor, 'account.issue', 'account:100001', `for ${demoIdNumber(9)}`, {}, new Date())).toThrow(/never be logged/);
  });
});
