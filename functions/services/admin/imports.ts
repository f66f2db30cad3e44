/**
 * Batch issue from the registrar's or HR's list: an Excel workbook or a CSV (UTF-8, with or without
 * BOM, or GBK), uploaded as base64 bytes, or CSV text as before. The file is read whole, every row is
 * checked, rows that pass are issued (issuance.ts), and the answer reports each rejected row by its
 * row number with every reason in English and Chinese, and as a CSV report for Excel. A dry run gives
 * the same answer and writes nothing. Re-importing the same list is safe: issued people come back
 * unchanged. A list cut short (a timeout) is finished by importing it again.
 */
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import * as z from 'zod';
import type { importReport } from '../../../shared/api/admin';
import { AppError } from '../../app-error';
import { identityKey } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import { ID_NUMBER_LIKE } from '../../domain/action-log';
import { campusDay } from '../../domain/campus-day';
import { ImportFileRefused, readCsvText, readImportFile, type ImportSheet } from '../../domain/csv';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest, normalizeIdNumber } from '../../domain/identity';
import {
  checkIssueRow,
  compareWithIssued,
  duplicateProblems,
  IMPORT_CARD_TYPES,
  ISSUE_COLUMNS,
  maskedRowValues,
  reasonInChinese,
  rejectedRowsCsv,
  REQUIRED_COLUMNS,
  type IdentityOnFile,
  type ImportKind,
  type IssueField,
  type IssueRequest,
  type IssueRow,
} from '../../domain/issuance';
import type { Actor } from '../../domain/staff';
import { writeActionLogEntry } from '../../store/action-log';
import { findIssuedAccount } from '../../store/issued-accounts';
import { getPolicy } from '../../store/policy';
import { newActionLogEntry } from './action-log';
import { issueAccounts, type RowResult } from './issuance';

/**
 * Rows per request. A new person costs two scrypt hashes at the issue-time cost (~7 ms each on one
 * vCPU) plus one transaction, so 1,000 rows take ~15 s on the import function's 1 vCPU: inside the
 * API's 29 seconds with room to spare. Longer lists are split; re-importing a cut-short list is safe.
 */
export const MAX_IMPORT_ROWS = 1_000;
/** The uploaded file's bytes (an .xlsx of 1,000 rows is ~60 KB; a CSV ~120 KB). */
export const MAX_IMPORT_FILE_BYTES = 1024 * 1024;

type ImportReport = z.infer<typeof importReport>;

export interface ImportBody {
  kind: ImportKind;
  csv?: string;
  file?: string;
  dryRun?: boolean;
  reason?: string;
}

/** A refusal of the whole request, in the shape the contract's own validation gives (400 VALIDATION_FAILED). */
export function validationFailed(problems: { path: string; problem: string }[]): z.ZodError {
  return new z.ZodError(problems.map(({ path, problem }) => ({ code: 'custom' as const, path: [path], message: problem, input: undefined })));
}

/**
 * A whole file refused, nothing written. The file field answers its own codes; the csv text field keeps
 * the 400 VALIDATION_FAILED it always gave, so clients written against it see no change.
 */
type Refusal =
  | { code: 'IMPORT_FILE_UNREADABLE' | 'IMPORT_FILE_EMPTY'; problem: string }
  | { code: 'IMPORT_FILE_TOO_LARGE'; problem: string }
  | { code: 'IMPORT_TOO_MANY_ROWS'; problem: string }
  | { code: 'IMPORT_COLUMNS_MISSING'; problem: string; columns: string }
  | { code: 'IMPORT_COLUMN_REPEATED'; problem: string; column: string };

function refuse(source: 'csv' | 'file', refusal: Refusal): never {
  if (source === 'csv') throw validationFailed([{ path: 'csv', problem: refusal.problem }]);
  switch (refusal.code) {
    case 'IMPORT_FILE_TOO_LARGE':
      throw new AppError(refusal.code, refusal.problem, { maxMegabytes: MAX_IMPORT_FILE_BYTES / (1024 * 1024) });
    case 'IMPORT_TOO_MANY_ROWS':
      throw new AppError(refusal.code, refusal.problem, { maxRows: MAX_IMPORT_ROWS });
    case 'IMPORT_COLUMNS_MISSING':
      throw new AppError(refusal.code, refusal.problem, { columns: refusal.columns });
    case 'IMPORT_COLUMN_REPEATED':
      throw new AppError(refusal.code, refusal.problem, { column: refusal.column });
    default:
      throw new AppError(refusal.code, refusal.problem);
  }
}

/** What the file says a row's person is, if it is safe to repeat (a misplaced column could hold an ID number). */
function quotablePersonId(value: string | undefined): string | undefined {
  const personId = value?.trim();
  return personId && /^[A-Za-z0-9_-]{1,32}$/.test(personId) && !ID_NUMBER_LIKE.test(personId) ? personId : undefined;
}

function readHeader(source: 'csv' | 'file', fields: string[]): Map<IssueField, number> {
  const columns = new Map<IssueField, number>();
  for (const [index, name] of fields.entries()) {
    const column = ISSUE_COLUMNS.find((known) => known.toLowerCase() === name.trim().toLowerCase());
    if (!column) continue; // other columns of the registrar's export are ignored
    if (columns.has(column)) refuse(source, { code: 'IMPORT_COLUMN_REPEATED', problem: `the header names ${column} twice`, column });
    columns.set(column, index);
  }
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    refuse(source, { code: 'IMPORT_COLUMNS_MISSING', problem: `the header row lacks ${missing.join(', ')} (columns: ${ISSUE_COLUMNS.join(', ')})`, columns: missing.join(', ') });
  }
  return columns;
}

async function readList(body: ImportBody): Promise<{ source: 'csv' | 'file'; sheet: ImportSheet | (Omit<ImportSheet, 'format'> & { format: 'csv-text' }); bytes: Uint8Array }> {
  const source = body.file !== undefined ? 'file' : 'csv';
  try {
    if (body.file !== undefined) {
      const bytes = new Uint8Array(Buffer.from(body.file, 'base64'));
      if (bytes.length > MAX_IMPORT_FILE_BYTES) refuse(source, { code: 'IMPORT_FILE_TOO_LARGE', problem: `the file is ${bytes.length} bytes` });
      return { source, sheet: await readImportFile(bytes), bytes };
    }
    const text = body.csv ?? '';
    return { source, sheet: { format: 'csv-text', ...readCsvText(text) }, bytes: new TextEncoder().encode(text) };
  } catch (error) {
    if (error instanceof ImportFileRefused) refuse(source, { code: error.refusal === 'empty' ? 'IMPORT_FILE_EMPTY' : 'IMPORT_FILE_UNREADABLE', problem: error.problem });
    throw error;
  }
}

/** The masks and keyed digests issuance.ts would keep (the same functions), to compare without writing. */
function identityOf(secret: string, request: IssueRequest): IdentityOnFile {
  return {
    idType: request.idType,
    idNumberMasked: maskIdNumber(request.idNumber),
    idNumberDigest: idNumberDigest(secret, request.idNumber),
    mobileMasked: maskMobile(request.mobile),
    mobileDigest: mobileDigest(secret, request.mobile),
  };
}

/** A dry run's answer per row: what issueAccounts would do, read only (a new account has no number yet). */
async function previewRows(deps: Pick<Deps, 'db'>, secret: string, rows: { line: number; request: IssueRequest }[]): Promise<(RowResult | { line: number; personId: string; outcome: 'created' })[]> {
  const results: (RowResult | { line: number; personId: string; outcome: 'created' })[] = [];
  // 16 reads at a time, as issueAccounts looks people up: a preview of 1,000 rows is 1,000 to 2,000 small reads.
  for (let i = 0; i < rows.length; i += 16) {
    const group = rows.slice(i, i + 16);
    const existing = await Promise.all(group.map((row) => findIssuedAccount(deps.db, row.request.personId)));
    group.forEach(({ line, request }, j) => {
      const account = existing[j];
      const personId = request.personId;
      if (!account) return results.push({ line, personId, outcome: 'created' });
      const compared = compareWithIssued(account, request, identityOf(secret, request));
      if (compared.outcome === 'rejected') return results.push({ line, personId, outcome: 'rejected', reasons: compared.reasons });
      return results.push({ line, personId, outcome: compared.outcome, accountNo: account.accountNo });
    });
  }
  return results;
}

export async function importAccountList(deps: Pick<Deps, 'db' | 'clock' | 'config'>, actor: Actor, body: ImportBody): Promise<ImportReport> {
  const { source, sheet, bytes } = await readList(body);
  const { records, problems } = sheet;
  const header = records[0];
  if (!header || (problems[0] && problems[0].line <= header.line)) {
    // The header row itself cannot be read (a quote left open), or there is none.
    const unreadable = problems[0] && (!header || problems[0].line <= header.line);
    refuse(source, unreadable ? { code: 'IMPORT_FILE_UNREADABLE', problem: problems[0]!.problem } : { code: 'IMPORT_FILE_EMPTY', problem: 'the file has no header row' });
  }
  const columns = readHeader(source, header.fields);
  const data = records.slice(1);
  if (data.length + problems.length > MAX_IMPORT_ROWS) {
    refuse(source, { code: 'IMPORT_TOO_MANY_ROWS', problem: `at most ${MAX_IMPORT_ROWS} rows per import: split the file (re-importing is safe)` });
  }

  const today = campusDay(deps.clock());
  const policy = await getPolicy(deps.db);
  const rejected = new Map<number, ImportReport['rejected'][number]>();
  const valuesByLine = new Map<number, IssueRow>();
  const reject = (line: number, personId: string | undefined, reasons: string[]) => {
    const known = rejected.get(line);
    if (known) {
      known.reasons.push(...reasons);
      known.reasonsZh.push(...reasons.map(reasonInChinese));
      return;
    }
    const row = valuesByLine.get(line);
    rejected.set(line, {
      line,
      ...(personId ? { personId } : {}),
      reasons: [...reasons],
      reasonsZh: reasons.map(reasonInChinese),
      ...(row ? { values: maskedRowValues(row) as Record<string, string> } : {}),
    });
  };
  for (const { line, problem } of problems) reject(line, undefined, [problem]);

  const checked: { line: number; request: IssueRequest }[] = [];
  const seen: { line: number; personId?: string; idNumber?: string }[] = [];
  for (const record of data) {
    const row: IssueRow = Object.fromEntries([...columns].map(([column, index]) => [column, record.fields[index] ?? '']));
    valuesByLine.set(record.line, row);
    const personId = quotablePersonId(row.personId);
    seen.push({ line: record.line, ...(row.personId?.trim() ? { personId: row.personId.trim() } : {}), ...(row.idNumber?.trim() ? { idNumber: normalizeIdNumber(row.idNumber) } : {}) });
    // A CSV row with more or fewer fields has shifted columns; a workbook's cells stay in their columns.
    if (sheet.format !== 'xlsx' && record.fields.length !== header.fields.length) {
      reject(record.line, personId, [`expected ${header.fields.length} fields as in the header, found ${record.fields.length}`]);
      continue;
    }
    const check = checkIssueRow(row, { today, policy, cardTypes: IMPORT_CARD_TYPES[body.kind] });
    if (check.ok) checked.push({ line: record.line, request: check.request });
    else reject(record.line, personId, check.problems.map((problem) => problem.reason));
  }
  for (const [line, reasons] of duplicateProblems(seen)) {
    reject(line, quotablePersonId(seen.find((row) => row.line === line)?.personId), reasons);
  }

  const importId = ulid(deps.clock().getTime());
  const reason = body.reason ?? `${body.kind} list import`;
  const accepted = checked.filter((row) => !rejected.has(row.line));
  const secret = await identityKey(deps.config);
  const results = body.dryRun
    ? await previewRows(deps, secret, accepted)
    : await issueAccounts(deps, { rows: accepted, policy, secret, actor, reason, importId });
  const accounts: ImportReport['accounts'] = [];
  for (const result of results) {
    if (result.outcome === 'rejected') reject(result.line, result.personId, result.reasons);
    else accounts.push({ line: result.line, personId: result.personId, ...('accountNo' in result ? { accountNo: result.accountNo } : {}), outcome: result.outcome });
  }
  const count = (outcome: string) => accounts.filter((account) => account.outcome === outcome).length;
  const rejectedRows = [...rejected.values()].sort((a, b) => a.line - b.line);
  const report: ImportReport = {
    importId,
    rows: data.length + problems.length,
    created: count('created'),
    unchanged: count('unchanged'),
    updated: count('updated'),
    rejected: rejectedRows,
    accounts,
    dryRun: body.dryRun === true,
    format: sheet.format,
    rejectedCsv: rejectedRowsCsv(rejectedRows),
  };
  if (body.dryRun) return report;
  // The list as a whole: the rows' own entries (created/updated) committed with each account.
  await writeActionLogEntry(
    deps.db,
    newActionLogEntry(deps, actor, {
      action: 'import',
      target: `import:${importId}`,
      reason,
      details: {
        kind: body.kind,
        format: sheet.format,
        rows: report.rows,
        created: report.created,
        unchanged: report.unchanged,
        updated: report.updated,
        rejected: report.rejected.length,
        fileSha256: createHash('sha256').update(bytes).digest('base64url'),
      },
    }),
  );
  return report;
}
