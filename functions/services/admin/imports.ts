/**
 * Batch issue from the registrar's or HR's CSV list. The file is read whole, every row is checked,
 * rows that pass are issued (issuance.ts), and the answer reports each rejected row by its line with
 * every reason. Re-importing the same list is safe: issued people come back unchanged. A list cut
 * short (a timeout) is finished by importing it again.
 */
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { z } from 'zod';
import type { importReport } from '../../../shared/api/admin';
import { identityKey } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import { ID_NUMBER_LIKE } from '../../domain/action-log';
import { campusDay } from '../../domain/campus-day';
import { parseCsv } from '../../domain/csv';
import { normalizeIdNumber } from '../../domain/identity';
import {
  checkIssueRow,
  duplicateProblems,
  IMPORT_CARD_TYPES,
  ISSUE_COLUMNS,
  REQUIRED_COLUMNS,
  type ImportKind,
  type IssueField,
  type IssueRequest,
  type IssueRow,
} from '../../domain/issuance';
import type { Actor } from '../../domain/staff';
import { writeActionLogEntry } from '../../store/action-log';
import { getPolicy } from '../../store/policy';
import { newActionLogEntry } from './action-log';
import { issueAccounts } from './issuance';

/**
 * Rows per request. A new person costs two scrypt hashes at the issue-time cost (~7 ms each on one
 * vCPU) plus one transaction, so 1,000 rows take ~15 s on the import function's 1 vCPU: inside the
 * API's 29 seconds with room to spare. Longer lists are split; re-importing a cut-short list is safe.
 */
export const MAX_IMPORT_ROWS = 1_000;

type ImportReport = z.infer<typeof importReport>;

/** A refusal of the whole request, in the shape the contract's own validation gives (400 VALIDATION_FAILED). */
export function validationFailed(problems: { path: string; problem: string }[]): z.ZodError {
  return new z.ZodError(problems.map(({ path, problem }) => ({ code: 'custom' as const, path: [path], message: problem, input: undefined })));
}

/** What the file says a row's person is, if it is safe to repeat (a misplaced column could hold an ID number). */
function quotablePersonId(value: string | undefined): string | undefined {
  const personId = value?.trim();
  return personId && /^[A-Za-z0-9_-]{1,32}$/.test(personId) && !ID_NUMBER_LIKE.test(personId) ? personId : undefined;
}

function readHeader(fields: string[]): Map<IssueField, number> {
  const columns = new Map<IssueField, number>();
  const problems: string[] = [];
  fields.forEach((name, index) => {
    const column = ISSUE_COLUMNS.find((known) => known.toLowerCase() === name.trim().toLowerCase());
    if (!column) return; // other columns of the registrar's export are ignored
    if (columns.has(column)) problems.push(`the header names ${column} twice`);
    columns.set(column, index);
  });
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) problems.push(`the header row lacks ${missing.join(', ')} (columns: ${ISSUE_COLUMNS.join(', ')})`);
  if (problems.length > 0) throw validationFailed(problems.map((problem) => ({ path: 'csv', problem })));
  return columns;
}

export async function importAccountList(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  actor: Actor,
  body: { kind: ImportKind; csv: string; reason?: string },
): Promise<ImportReport> {
  const { records, problems } = parseCsv(body.csv);
  const header = records[0];
  if (!header || (problems[0] && problems[0].line <= header.line)) {
    throw validationFailed([{ path: 'csv', problem: problems[0]?.problem ?? 'the file has no header row' }]);
  }
  const columns = readHeader(header.fields);
  const data = records.slice(1);
  if (data.length + problems.length > MAX_IMPORT_ROWS) {
    throw validationFailed([{ path: 'csv', problem: `at most ${MAX_IMPORT_ROWS} rows per import: split the file (re-importing is safe)` }]);
  }

  const today = campusDay(deps.clock());
  const policy = await getPolicy(deps.db);
  const rejected = new Map<number, { line: number; personId?: string; reasons: string[] }>();
  const reject = (line: number, personId: string | undefined, reasons: string[]) => {
    const known = rejected.get(line);
    if (known) known.reasons.push(...reasons);
    else rejected.set(line, { line, ...(personId ? { personId } : {}), reasons: [...reasons] });
  };
  for (const { line, problem } of problems) reject(line, undefined, [problem]);

  const checked: { line: number; request: IssueRequest }[] = [];
  const seen: { line: number; personId?: string; idNumber?: string }[] = [];
  for (const record of data) {
    const row: IssueRow = Object.fromEntries([...columns].map(([column, index]) => [column, record.fields[index]]));
    const personId = quotablePersonId(row.personId);
    seen.push({ line: record.line, ...(row.personId?.trim() ? { personId: row.personId.trim() } : {}), ...(row.idNumber?.trim() ? { idNumber: normalizeIdNumber(row.idNumber) } : {}) });
    if (record.fields.length !== header.fields.length) {
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
  const results = await issueAccounts(deps, {
    rows: checked.filter((row) => !rejected.has(row.line)),
    policy,
    secret: await identityKey(deps.config),
    actor,
    reason,
    importId,
  });
  const accounts: ImportReport['accounts'] = [];
  for (const result of results) {
    if (result.outcome === 'rejected') reject(result.line, result.personId, result.reasons);
    else accounts.push({ line: result.line, personId: result.personId, accountNo: result.accountNo, outcome: result.outcome });
  }
  const count = (outcome: string) => accounts.filter((account) => account.outcome === outcome).length;
  const report: ImportReport = {
    importId,
    rows: data.length + problems.length,
    created: count('created'),
    unchanged: count('unchanged'),
    updated: count('updated'),
    rejected: [...rejected.values()].sort((a, b) => a.line - b.line),
    accounts,
  };
  // The list as a whole: the rows' own entries (created/updated) committed with each account.
  await writeActionLogEntry(
    deps.db,
    newActionLogEntry(deps, actor, {
      action: 'import',
      target: `import:${importId}`,
      reason,
      details: {
        kind: body.kind,
        rows: report.rows,
        created: report.created,
        unchanged: report.unchanged,
        updated: report.updated,
        rejected: report.rejected.length,
        fileSha256: createHash('sha256').update(body.csv).digest('base64url'),
      },
    }),
  );
  return report;
}
