/**
 * Issuing accounts at the card centre, pure: the rules one row of a registrar/HR list (or one
 * person at the counter) must meet, and what a re-import may change on an account already issued.
 * Problems are phrased for the card-centre clerk who fixes the file, and never quote an ID number
 * or a mobile number back (the report is shown, stored in logs, and forwarded).
 */
import { ID_TYPES as ID_TYPES_SHARED, type CardType } from '../../shared/vocabulary';
import type { Account } from './account';
import { stringify } from 'csv-stringify/sync';
import { ID_NUMBER_LIKE } from './action-log';
import { isValidIdCardNumber, maskIdNumber, maskMobile, normalizeIdNumber, type IdType } from './identity';
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

/**
 * The import report's reasons in Chinese, for the clerk (the English ones stay the API's words and the
 * tests'). One table, by the English reason, so every rule keeps a single wording in code; a reason
 * missing here comes back in English rather than not at all (tests/unit/import-files.test.ts checks
 * every reason the rules and the reader give has its translation).
 */
const REASONS_ZH: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^personId is required$/, () => '缺少学工号（personId）'],
  [/^personId must be 1 to 32 letters/, () => '学工号（personId）须为 1 至 32 位字母、数字、“_”或“-”'],
  [/^name is required$/, () => '缺少姓名（name）'],
  [/^name must be at most 50 characters$/, () => '姓名（name）最多 50 个字'],
  [/^name must not contain control characters$/, () => '姓名（name）不能含控制字符'],
  [/^cardType must be one of (.*)$/, (m) => `卡类型（cardType）须为以下之一：${m[1]}`],
  [/^idType must be one of (.*)$/, (m) => `证件类型（idType）须为以下之一：${m[1]}`],
  [/^idNumber is not a valid 18-character ID number$/, () => '证件号（idNumber）不是有效的 18 位居民身份证号'],
  [/^idNumber is not a valid passport number/, () => '证件号（idNumber）不是有效的护照号（须为 5 至 20 位字母和数字）'],
  [/^no default password can be made from this idNumber/, () => '证件号后六位不全是数字，无法生成初始密码'],
  [/^mobile is required$/, () => '缺少手机号（mobile）'],
  [/^mobile is not a valid mobile number/, () => '手机号（mobile）无效（须为 11 位手机号，或 +国家码和号码）'],
  [/^temporary cards need expiresOn within (\d+) days \((\S+) to (\S+)\)$/, (m) => `临时卡须填写有效期（expiresOn），在 ${m[1]} 天之内（${m[2]} 至 ${m[3]}）`],
  [/^expiresOn is only for temporary cards$/, () => '只有临时卡可以填写有效期（expiresOn）'],
  [/^duplicate personId in this file \(lines (.*)\)$/, (m) => `文件中学工号重复（第 ${m[1]} 行）`],
  [/^duplicate idNumber in this file \(lines (.*)\)$/, (m) => `文件中证件号重复（第 ${m[1]} 行）`],
  [/^the account for this personId has no ID number on file/, () => '该学工号的账户没有登记证件号：请到卡务中心核实本人'],
  [/^idType or idNumber differs from the account already issued/, () => '证件类型或证件号与该学工号已开的账户不一致'],
  [/^cardType differs from the account already issued for this personId \((.*)\)$/, (m) => `卡类型与该学工号已开的账户不一致（${m[1]}）`],
  [/^the account for this personId is closed$/, () => '该学工号的账户已注销'],
  [/^expected (\d+) fields as in the header, found (\d+)$/, (m) => `字段数与表头不符：应为 ${m[1]} 个，实为 ${m[2]} 个`],
  [/^the account kept changing during the import/, () => '导入期间该账户一直在变动：请重新导入此行'],
  [/^a quote inside an unquoted field/, () => '未加引号的字段中含有引号（请给整个字段加引号，并把其中的引号写两遍）'],
  [/^unexpected text after a closing quote/, () => '右引号后还有文字（请给整个字段加引号）'],
  [/^a quoted field is not closed before the end of the file$/, () => '引号未闭合，直到文件结束'],
  [/^the row cannot be read as CSV/, () => '此行无法按 CSV 读取'],
];

export function reasonInChinese(reason: string): string {
  for (const [pattern, zh] of REASONS_ZH) {
    const match = pattern.exec(reason);
    if (match) return zh(match);
  }
  return reason;
}

/**
 * A rejected row's values as the report may show them: the ID number and mobile masked, and anything
 * else that looks like an ID number (a column shifted by one) masked too, because the report is
 * downloaded, mailed and printed.
 */
export function maskedRowValues(row: IssueRow): Partial<Record<IssueField, string>> {
  const values: Partial<Record<IssueField, string>> = {};
  for (const column of ISSUE_COLUMNS) {
    const value = row[column];
    if (value === undefined) continue;
    const text = value.trim();
    if (column === 'idNumber') values[column] = text ? maskIdNumber(text) : '';
    else if (column === 'mobile') values[column] = text ? maskMobile(text) : '';
    else values[column] = text.replace(new RegExp(ID_NUMBER_LIKE.source, 'g'), (id) => maskIdNumber(id));
  }
  return values;
}

export interface RejectedRow {
  line: number;
  reasons: string[];
  reasonsZh: string[];
  values?: Partial<Record<IssueField, string>>;
}

/** Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe (CSV injection). */
const cell = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * The report of rejected rows for Excel: UTF-8 with a byte-order mark and CRLF (without the mark,
 * Excel on Chinese Windows reads UTF-8 as GBK and the names come out garbled), the row number, the
 * row's values (masked), and the reasons in Chinese and English.
 */
export function rejectedRowsCsv(rejected: readonly RejectedRow[]): string {
  const header = ['行号 row', ...ISSUE_COLUMNS, '原因', 'reason'];
  const lines = rejected.map((row) => [
    String(row.line),
    ...ISSUE_COLUMNS.map((column) => cell(row.values?.[column] ?? '')),
    cell(row.reasonsZh.join('；')),
    cell(row.reasons.join('; ')),
  ]);
  return stringify([header, ...lines], { bom: true, record_delimiter: 'windows' });
}
