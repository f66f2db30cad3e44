/** Accounts, merchants and terminals for tests, created through the same store code the platform uses. */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../functions/app-error';
import type { Deps } from '../../functions/deps';
import { DEFAULT_DAILY_LIMIT_FEN, type Account } from '../../functions/domain/account';
import { campusDay } from '../../functions/domain/campus-day';
import { fingerprint } from '../../functions/domain/fingerprint';
import type { LedgerEntry } from '../../functions/domain/ledger';
import { planTopup } from '../../functions/domain/movement-plans';
import type { Terminal } from '../../functions/domain/merchant';
import { changeAccountStatus, createAccount, getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { entriesInRange } from '../../functions/store/ledger';
import { createTerminal, putMerchant } from '../../functions/store/terminals';
import { signTerminalRequest } from '../../shared/terminal-signature';

let accountSeq = 0;

/** A fresh account with `balanceFen` put there by a real top-up movement (so the ledger explains it). */
export async function createTestAccount(deps: Deps, options: { balanceFen?: number; status?: Account['status']; holderName?: string; dailyLimitFen?: number; cardType?: Account['cardType'] } = {}): Promise<Account> {
  const now = deps.clock();
  const accountNo = String(50_000_000 + process.pid * 1000 + ++accountSeq).slice(-9);
  const account: Account = {
    accountNo,
    personId: `T${accountNo}`,
    holderName: options.holderName ?? '测试同学',
    cardType: options.cardType ?? 'student',
    status: 'active',
    balanceFen: 0,
    transitionalFen: 0,
    smallWalletFen: 0,
    dailySpentFen: 0,
    dailySpentDay: campusDay(now),
    dailyLimitFen: options.dailyLimitFen ?? DEFAULT_DAILY_LIMIT_FEN,
    version: 0,
    createdAt: now.toISOString(),
  };
  if (!(await createAccount(deps.db, account))) throw new Error(`account ${accountNo} exists`);
  if (options.balanceFen) {
    const amountFen = options.balanceFen;
    await deps.movements.post({
      accountNo,
      idempotencyKey: `test#opening#${accountNo}`,
      fingerprint: fingerprint({ amountFen }),
      plan: (current, today) => planTopup(current, { amountFen, channel: 'counter', externalRef: `opening-${accountNo}` }, today),
    });
  }
  if (options.status && options.status !== 'active') await setAccountStatus(deps, accountNo, options.status);
  return (await getAccount(deps.db, accountNo))!;
}

/** Test shortcut: puts an account into a status (e.g. expired) through the same status change the services use. */
export async function setAccountStatus(deps: Deps, accountNo: string, status: Account['status']): Promise<void> {
  const account = await getAccount(deps.db, accountNo);
  if (!account || !(await changeAccountStatus(deps.db, account, status, undefined, deps.clock().toISOString()))) throw new Error(`could not set ${accountNo} to ${status}`);
}

let terminalSeq = 0;

export async function createTestTerminal(deps: Deps, options: { status?: Terminal['status']; merchantId?: string; kind?: Terminal['kind'] } = {}): Promise<Terminal> {
  const now = deps.clock().toISOString();
  const merchantId = options.merchantId ?? 'MTEST';
  await putMerchant(deps.db, { merchantId, name: '测试食堂', category: 'canteen', status: 'active', createdAt: now });
  const terminal: Terminal = {
    terminalId: `POS-TEST-${process.pid}-${++terminalSeq}`,
    merchantId,
    place: '测试窗口',
    ...(options.kind ? { kind: options.kind } : {}),
    secret: randomBytes(24).toString('base64url'),
    status: options.status ?? 'active',
    createdAt: now,
  };
  await createTerminal(deps.db, terminal);
  return terminal;
}

export async function ledgerOf(deps: Deps, accountNo: string): Promise<LedgerEntry[]> {
  return entriesInRange(deps.db, accountNo);
}

/** A signed POS request as a real terminal would send it. */
export async function terminalFetch(
  baseUrl: string,
  terminal: Pick<Terminal, 'terminalId' | 'secret'>,
  method: string,
  path: string,
  body: unknown,
  options: { now?: Date; nonce?: string; contentType?: string; rawBody?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = options.rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  const headers = signTerminalRequest(terminal, {
    method,
    path,
    body: raw,
    now: options.now ?? new Date(),
    nonce: options.nonce ?? randomBytes(12).toString('base64url'),
  });
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...headers, 'content-type': options.contentType ?? 'application/json' },
    ...(raw ? { body: raw } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * The chip UID of the account's physical card, issuing it an M1 card (a card without a chip purse
 * to keep in step) if it has none: online card payments name the card that was tapped.
 */
export async function testChipUid(deps: Pick<Deps, 'db' | 'clock'>, accountNo: string): Promise<string> {
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new Error(`no account ${accountNo}`);
  if (account.activeChipUid) return account.activeChipUid;
  const chipUid = `0D${accountNo}`.padEnd(12, '0');
  const now = deps.clock();
  await issueCard(deps.db, { cardId: `C${chipUid}`, accountNo, kind: 'm1', chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) });
  return chipUid;
}

/** 'OK', or the refusal's code; anything that is not an AppError fails the test. */
export async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}
