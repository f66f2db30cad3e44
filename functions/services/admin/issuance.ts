/**
 * Issuing accounts from checked rows (a registrar/HR list, or one person at the counter). Per row:
 * a person without an account gets one (balance 0, active, both default passwords, identity as masks
 * and keyed digests) with its audit entry in one transaction; a person with one is unchanged, updated
 * (name, mobile, expiry), or refused. Safe to run twice, or twice at once: the person's claim item
 * lets only one transaction create the account, and the loser answers as a re-import would.
 */
import type { Deps } from '../../deps';
import type { Account } from '../../domain/account';
import { campusDay } from '../../domain/campus-day';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest } from '../../domain/identity';
import { compareWithIssued, type IdentityOnFile, type IssueRequest } from '../../domain/issuance';
import { hashPassword, type PasswordRecord, type ScryptParams } from '../../domain/passwords';
import type { CampusPolicy } from '../../domain/policy';
import type { Actor } from '../../domain/staff';
import { createIssuedAccount, findIssuedAccount, reserveAccountNumbers, updateIssuedAccount } from '../../store/issued-accounts';
import { actionLogPut } from './action-log';

type IssueDeps = Pick<Deps, 'db' | 'clock'>;

/**
 * scrypt cost for the ID-number default passwords made at issue. Measured: N = 2^14 (the platform's
 * default) costs ~29 ms per hash on one core, two per person, so a 500-row list needs ~30 s of CPU on
 * the import function's 1 vCPU, beyond the API's 29 seconds; N = 2^12 costs ~7 ms. A default password
 * is six digits of an ID number the registrar, HR and anyone holding the ID card already know: its
 * strength is bounded by that (10^6 at most), not by scrypt, and the lockout (5 tries, 30 minutes) is
 * what protects it. N = 2^12 with r = 8 (4 MiB) is still a memory-hard hash; each record keeps its
 * params, and the holder's own password (prompted at first sign-in) gets the full default cost.
 */
export const ISSUE_SCRYPT_PARAMS: ScryptParams = { N: 4_096, r: 8, p: 1, keyLength: 32 };

export type RowResult =
  | { line: number; personId: string; outcome: 'created' | 'unchanged' | 'updated'; accountNo: string }
  | { line: number; personId: string; outcome: 'rejected'; reasons: string[] };

export interface IssueBatch {
  rows: { line: number; request: IssueRequest }[];
  policy: CampusPolicy;
  /** The identity key (IDENTITY_KEY), for the ID and mobile digests. */
  secret: string;
  actor: Actor;
  reason: string;
  /** Set for an import: every row's audit entry points back at it. */
  importId?: string;
}

/** Up to `limit` at a time, results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function identityOf(secret: string, request: IssueRequest): IdentityOnFile {
  return {
    idType: request.idType,
    idNumberMasked: maskIdNumber(request.idNumber),
    idNumberDigest: idNumberDigest(secret, request.idNumber),
    mobileMasked: maskMobile(request.mobile),
    mobileDigest: mobileDigest(secret, request.mobile),
  };
}

export async function issueAccounts(deps: IssueDeps, batch: IssueBatch): Promise<RowResult[]> {
  const rows = batch.rows.map((row) => ({ ...row, identity: identityOf(batch.secret, row.request) }));
  const existing = await mapLimit(rows, 16, (row) => findIssuedAccount(deps.db, row.request.personId));
  // One counter write for the whole list; numbers follow the file's order.
  const numbers = await reserveAccountNumbers(deps.db, existing.filter((account) => !account).length);
  let n = 0;
  const planned = rows.map((row, i) => ({ ...row, account: existing[i], accountNo: existing[i] ? undefined : numbers[n++] }));
  // scrypt runs on libuv's thread pool (4 threads): more rows at once than that only queue.
  return mapLimit(planned, 8, (row) => issueRow(deps, batch, row));
}

type PlannedRow = { line: number; request: IssueRequest; identity: IdentityOnFile; account: Account | undefined; accountNo: string | undefined };

async function issueRow(deps: IssueDeps, batch: IssueBatch, row: PlannedRow): Promise<RowResult> {
  const { line, request } = row;
  let account = row.account;
  let accountNo = row.accountNo;
  for (let attempt = 0; attempt < 8; attempt++) {
    if (!account) {
      const created = await createRow(deps, batch, row, accountNo!);
      if (created === 'created') return { line, personId: request.personId, outcome: 'created', accountNo: accountNo! };
      if (created === 'number_taken') {
        // An account made outside the card centre's numbering (seeded, migrated) has this number.
        [accountNo] = await reserveAccountNumbers(deps.db, 1);
        continue;
      }
      account = await findIssuedAccount(deps.db, request.personId); // another import created it just now
      if (!account) continue;
    }
    const compared = compareWithIssued(account, request, row.identity);
    if (compared.outcome === 'rejected') return { line, personId: request.personId, outcome: 'rejected', reasons: compared.reasons };
    if (compared.outcome === 'unchanged') return { line, personId: request.personId, outcome: 'unchanged', accountNo: account.accountNo };
    const changed = Object.keys(compared.changes);
    const audit = actionLogPut(deps, batch.actor, {
      action: 'account.update',
      target: `account:${account.accountNo}`,
      reason: batch.reason,
      details: { personId: request.personId, changed, ...(batch.importId ? { importId: batch.importId, line } : {}) },
    });
    if (await updateIssuedAccount(deps.db, account, compared.changes, deps.clock().toISOString(), [{ Put: audit }], batch.actor.username)) {
      return { line, personId: request.personId, outcome: 'updated', accountNo: account.accountNo };
    }
    account = await findIssuedAccount(deps.db, request.personId); // changed meanwhile: compare again
  }
  return { line, personId: request.personId, outcome: 'rejected', reasons: ['the account kept changing during the import: import this row again'] };
}

async function createRow(deps: IssueDeps, batch: IssueBatch, row: PlannedRow, accountNo: string) {
  const now = deps.clock();
  const { request, identity } = row;
  const account: Account = {
    accountNo,
    personId: request.personId,
    holderName: request.holderName,
    cardType: request.cardType,
    status: 'active',
    ...(request.expiresOn ? { expiresOn: request.expiresOn } : {}),
    balanceFen: 0,
    transitionalFen: 0,
    smallWalletFen: 0,
    dailySpentFen: 0,
    dailySpentDay: campusDay(now),
    dailyLimitFen: batch.policy.defaultDailyLimitFen,
    ...identity,
    version: 0,
    createdAt: now.toISOString(),
  };
  const [query, consumption] = await Promise.all(
    [0, 1].map(() => hashPassword(request.defaultPassword, { isDefault: true, now, params: ISSUE_SCRYPT_PARAMS })),
  ) as [PasswordRecord, PasswordRecord];
  const audit = actionLogPut(deps, batch.actor, {
    action: 'account.issue',
    target: `account:${accountNo}`,
    reason: batch.reason,
    details: {
      personId: request.personId,
      cardType: request.cardType,
      idType: request.idType,
      ...(request.expiresOn ? { expiresOn: request.expiresOn } : {}),
      ...(batch.importId ? { importId: batch.importId, line: row.line } : {}),
    },
  });
  return createIssuedAccount(deps.db, account, { query, consumption }, [{ Put: audit }]);
}
