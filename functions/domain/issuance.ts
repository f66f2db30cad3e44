/**
 * Issuing accounts at the card centre, pure: the rules one row of a registrar/HR list (or one
 * person at the counter) must meet, and what a re-import may change on an account already issued.
 * Problems are phrased for the card-centre clerk who fixes the file, and never quote an ID number
 * or a mobile number back (the report is shown, stored in logs, and forwarded).
 */
import { ID_TYPES as ID_TYPES_SHARED, type CardType } from '../../shared/vocabulary';
import type { Account } from './account';
import { isValidIdCardNumber, normalizeIdNumber, type IdType } from './identity';
import { defaultPassword } from './passwords';
import type { CampusPolicy } from './policy';
import { addDays } from './campus-day';

/** The shared list, and the identity module's type, must stay the same words. */
export const ID_TYPES: readonly IdType[] = ID_TYPES_SHARED satisfies readonly IdType[];

/** The columns of an import file, as the registrar and HR export them (header names, any case). */
export const ISSUE_COLUMNS = ['personId', 'name', 'cardType', 'idType', 'idNumber', 'mobile', 'expiresOn'] as const;
export type IssueField = (typeof ISSUE_COLUMNS)[number];
/** expiresOn is for temporary cards only, so a list without temporary cards may leave the column out. */
export const REQUIRED_COLUMNS: readonly IssueField[] = ISSUE_COLUMNS.filter((column) => column !== 'expiresOn');

export type IssueRow = Partial<Record<IssueField, string>>;

/** Which card types each list may issue: the registrar enrols students, HR hires everyone else. */
export const IMPORT_KINDS = ['registrar', 'hr'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_CARD_TYPES: Record<ImportKind, readonly CardType[]> = {
  registrar: ['student', 'temporary'],
  hr: ['staff', 'employee', 'temporary', 'family'],
};

/** A row that passed every rule, normalised. Holds the ID number in memory only: it is never stored. */
export interface IssueRequest {
  personId: string;
  holderName: string;
  cardType: CardType;
  idType: IdType;
  idNumber: string;
  /** Mainland numbers without +86; others in +<country><number> form. */
  mobile: string;
  expiresOn?: string;
  /** The query and consumption passwords' default (policy.idNumberX applied). */
  defaultPassword: string;
}

export interface RowProblem {
  field: IssueField;
  reason: string;
}

export type RowCheck = { ok: true; request: IssueRequest } | { ok: false; problems: RowProblem[] };

export interface IssueContext {
  /** Today's campus day. */
  today: string;
  policy: Pick<CampusPolicy, 'idNumberX' | 'temporaryCardMaxDays'>;
  /** The card types this list (or the counter) may issue. */
  cardTypes: readonly CardType[];
}

const PERSON_ID = /^[A-Za-z0-9_-]{1,32}$/;
const PASSPORT = /^[A-Z0-9]{5,20}$/;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const INTERNATIONAL_MOBILE = /^\+[1-9]\d{6,14}$/;
// Control characters (C0, DEL, C1) have no place in a printed name.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** "138 1234-5678", "+86 13812345678" → "13812345678"; "+852 9123 4567" → "+85291234567". The same form identity.mobileDigest hashes. */
export function normalizeMobile(mobile: string): string {
  return mobile.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
}

export function isValidMobile(mobile: string): boolean {
  const normalized = normalizeMobile(mobile);
  return MAINLAND_MOBILE.test(normalized) || INTERNATIONAL_MOBILE.test(normalized);
}

/** A real calendar day written YYYY-MM-DD. */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}


/** An 18-character resident ID number: GB 11643 check character, and a birth date that exists and has passed. */
export function isValidIdCard(idNumber: string, today: string): boolean {
  if (!isValidIdCardNumber(idNumber)) return false;
  const id = normalizeIdNumber(idNumber);
  const born = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return isCalendarDay(born) && born >= '1900-01-01' && born <= today;
}

/** Every rule a row must meet; all problems at once, so the clerk fixes the row in one go. */
export function checkIssueRow(row: IssueRow, context: IssueContext): RowCheck {
  const problems: RowProblem[] = [];
  const problem = (field: IssueField, reason: string) => problems.push({ field, reason });
  const value = (field: IssueField) => (row[field] ?? '').trim();

  const personId = value('personId');
  if (!personId) problem('personId', 'personId is required');
  else if (!PERSON_ID.test(personId)) problem('personId', 'personId must be 1 to 32 letters, digits, "_" or "-"');

  const holderName = value('name').normalize('NFC');
  if (!holderName) problem('name', 'name is required');
  else if ([...holderName].length > 50) problem('name', 'name must be at most 50 characters');
  else if (CONTROL.test(holderName)) problem('name', 'name must not contain control characters');

  const cardType = value('cardType');
  const isCardType = (context.cardTypes as readonly string[]).includes(cardType);
  if (!isCardType) problem('cardType', `cardType must be one of ${context.cardTypes.join(', ')}`);

  const idType = value('idType');
  const idNumber = normalizeIdNumber(value('idNumber'));
  let password: string | undefined;
  if (!(ID_TYPES as readonly string[]).includes(idType)) {
    problem('idType', `idType must be one of ${ID_TYPES.join(', ')}`);
  } else if (idType === 'id_card' && !isValidIdCard(idNumber, context.today)) {
    problem('idNumber', 'idNumber is not a valid 18-character ID number');
  } else if (idType === 'passport' && !PASSPORT.test(idNumber)) {
    problem('idNumber', 'idNumber is not a valid passport number (5 to 20 letters and digits)');
  } else {
    password = defaultPassword(idNumber, context.policy.idNumberX);
    if (!password) problem('idNumber', 'no default password can be made from this idNumber (its last six characters are not digits)');
  }

  const mobile = normalizeMobile(value('mobile'));
  if (!mobile) problem('mobile', 'mobile is required');
  else if (!isValidMobile(mobile)) problem('mobile', 'mobile is not a valid mobile number (11 digits, or +country code and number)');

  const expiresOn = value('expiresOn');
  const lastDay = addDays(context.today, context.policy.temporaryCardMaxDays);
  if (cardType === 'temporary') {
    if (!isCalendarDay(expiresOn) || expiresOn < context.today || expiresOn > lastDay) {
      problem('expiresOn', `temporary cards need expiresOn within ${context.policy.temporaryCardMaxDays} days (${context.today} to ${lastDay})`);
    }
  } else if (expiresOn) {
    problem('expiresOn', 'expiresOn is only for temporary cards');
  }

  if (problems.length > 0 || !password) return { ok: false, problems };
  return {
    ok: true,
    request: {
      personId,
      holderName,
      cardType: cardType as CardType,
      idType: idType as IdType,
      idNumber,
      mobile,
      ...(cardType === 'temporary' ? { expiresOn } : {}),
      defaultPassword: password,
    },
  };
}

/** Within one file, a person or an ID number twice is ambiguous: every such row is refused, none is guessed. */
export function duplicateProblems(rows: { line: number; personId?: string; idNumber?: string }[]): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  const mark = (key: 'personId' | 'idNumber', reason: (lines: number[]) => string) => {
    const lines = new Map<string, number[]>();
    for (const row of rows) {
      const value = row[key];
      if (value) lines.set(value, [...(lines.get(value) ?? []), row.line]);
    }
    for (const same of lines.values()) {
      if (same.length < 2) continue;
      for (const line of same) byLine.set(line, [...(byLine.get(line) ?? []), reason(same)]);
    }
  };
  mark('personId', (lines) => `duplicate personId in this file (lines ${lines.join(', ')})`);
  mark('idNumber', (lines) => `duplicate idNumber in this file (lines ${lines.join(', ')})`);
  return byLine;
}

/** The masks and keyed digests an account keeps of its holder's identity (identity.ts makes them). */
export interface IdentityOnFile {
  idType: IdType;
  idNumberMasked: string;
  idNumberDigest: string;
  mobileMasked: string;
  mobileDigest: string;
}

export type ReissueOutcome =
  | { outcome: 'unchanged' }
  | { outcome: 'updated'; changes: { holderName?: string; mobile?: Pick<IdentityOnFile, 'mobileMasked' | 'mobileDigest'>; expiresOn?: string } }
  | { outcome: 'rejected'; reasons: string[] };

/**
 * A person already has an account: the same data is unchanged; a new name, mobile or expiry
 * (renewing a temporary card) is an update; anything else (another ID number, another card type,
 * a closed account) is refused, because the account and its money belong to whoever holds that ID.
 */
export function compareWithIssued(account: Account, request: IssueRequest, identity: IdentityOnFile): ReissueOutcome {
  if (!account.idNumberDigest) return { outcome: 'rejected', reasons: ['the account for this personId has no ID number on file: check the person at the card centre'] };
  const reasons: string[] = [];
  if (account.idType !== identity.idType || account.idNumberDigest !== identity.idNumberDigest) {
    reasons.push('idType or idNumber differs from the account already issued for this personId');
  }
  if (account.cardType !== request.cardType) reasons.push(`cardType differs from the account already issued for this personId (${account.cardType})`);
  if (reasons.length > 0) return { outcome: 'rejected', reasons };

  const changes: Extract<ReissueOutcome, { outcome: 'updated' }>['changes'] = {};
  if (account.holderName !== request.holderName) changes.holderName = request.holderName;
  if (account.mobileDigest !== identity.mobileDigest) changes.mobile = { mobileMasked: identity.mobileMasked, mobileDigest: identity.mobileDigest };
  if ((account.expiresOn ?? '') !== (request.expiresOn ?? '')) changes.expiresOn = request.expiresOn!;
  if (Object.keys(changes).length === 0) return { outcome: 'unchanged' };
  if (account.status === 'cancelled') return { outcome: 'rejected', reasons: ['the account for this personId is closed'] };
  return { outcome: 'updated', changes };
}
