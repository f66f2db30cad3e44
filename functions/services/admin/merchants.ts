/**
 * The card centre's merchant and terminal registry. Every change is written with its action-log
 * entry in one transaction. Supervisors change merchants (where money goes, and at what fee); any
 * staff member registers terminals, hands out activation codes and disables terminals.
 */
import type { z } from 'zod';
import { createMerchantRoute, updateMerchantRoute, type merchantView, type terminalView } from '../../../shared/api/merchants';
import type { MerchantCategory, SettlementPeriod, TerminalKind } from '../../../shared/vocabulary';
import { AppError } from '../../app-error';
import { identityKey } from '../../auth/session-secret';
import type { Deps } from '../../deps';
import type { ActionLogValue } from '../../domain/action-log';
import {
  MERCHANT_TERMS,
  newActivationCode,
  pendingActivation,
  settlementAccountMatches,
  settlementAccountOf,
  type Merchant,
  type TerminalRecord,
} from '../../domain/merchant';
import { requireRole, type Actor } from '../../domain/staff';
import { createMerchantRecord, listMerchantRecords, replaceMerchantRecord } from '../../store/merchants';
import {
  createTerminal,
  disableTerminalRecord,
  getMerchant,
  getMerchantCached,
  getTerminal,
  getTerminalCached,
  listMerchantTerminals,
  setActivationCode,
} from '../../store/terminals';
import { withVersionRetry } from '../../store/version-retry';
import { writeActionLogEntry } from '../../store/action-log';
import { actionLogPut, newActionLogEntry } from './action-log';

type RegistryDeps = Pick<Deps, 'db' | 'clock' | 'config'>;
type MerchantView = z.infer<typeof merchantView>;
type TerminalView = z.infer<typeof terminalView>;

interface SettlementAccountInput {
  bankName: string;
  accountName: string;
  accountNumber: string;
}

/** What the card centre sees of a merchant: the account's mask, never its digest. */
export function merchantViewOf(merchant: Merchant): MerchantView {
  const { settlementAccount, version: _version, ...rest } = merchant;
  return {
    ...rest,
    ...(settlementAccount ? { settlementAccount: { bankName: settlementAccount.bankName, accountName: settlementAccount.accountName, masked: settlementAccount.masked } } : {}),
  };
}

/** What the card centre sees of a terminal: never its secret, never the hash of a waiting code. */
export function terminalViewOf(terminal: TerminalRecord): TerminalView {
  return {
    terminalId: terminal.terminalId,
    merchantId: terminal.merchantId,
    place: terminal.place,
    ...(terminal.kind ? { kind: terminal.kind } : {}),
    status: terminal.status,
    createdAt: terminal.createdAt,
    ...(terminal.activatedAt ? { activatedAt: terminal.activatedAt } : {}),
    ...(terminal.disabledAt ? { disabledAt: terminal.disabledAt } : {}),
    ...(terminal.activation ? { activationExpiresAt: terminal.activation.expiresAt } : {}),
    ...(terminal.lastSeenAt ? { lastSeenAt: terminal.lastSeenAt } : {}),
  };
}

async function readMerchant(deps: Pick<Deps, 'db'>, merchantId: string): Promise<Merchant> {
  const merchant = await getMerchant(deps.db, merchantId);
  if (!merchant) throw new AppError('MERCHANT_NOT_FOUND', merchantId);
  return merchant;
}

export async function createMerchant(
  deps: RegistryDeps,
  actor: Actor,
  body: {
    merchantId: string;
    name: string;
    category: MerchantCategory;
    settlementAccount: SettlementAccountInput;
    feeRateBps?: number | undefined;
    settlementPeriod?: SettlementPeriod | undefined;
    reason: string;
  },
): Promise<MerchantView> {
  requireRole(actor, createMerchantRoute.roles);
  const merchant: Merchant = {
    merchantId: body.merchantId,
    name: body.name,
    category: body.category,
    status: 'active',
    feeRateBps: body.feeRateBps ?? MERCHANT_TERMS.defaultFeeRateBps,
    settlementPeriod: body.settlementPeriod ?? MERCHANT_TERMS.defaultSettlementPeriod,
    settlementAccount: settlementAccountOf(await identityKey(deps.config), body.settlementAccount),
    createdAt: deps.clock().toISOString(),
    version: 1,
  };
  const audit = actionLogPut(deps, actor, {
    action: 'merchant.create',
    target: `merchant:${merchant.merchantId}`,
    reason: body.reason,
    details: { name: merchant.name, category: merchant.category, feeRateBps: merchant.feeRateBps, settlementPeriod: merchant.settlementPeriod, account: merchant.settlementAccount!.masked },
  });
  if (!(await createMerchantRecord(deps.db, merchant, [{ Put: audit }]))) throw new AppError('MERCHANT_EXISTS', merchant.merchantId);
  return merchantViewOf(merchant);
}

export async function getMerchantView(deps: Pick<Deps, 'db'>, merchantId: string): Promise<MerchantView> {
  return merchantViewOf(await readMerchant(deps, merchantId));
}

export async function listMerchantViews(deps: Pick<Deps, 'db'>, query: { status?: Merchant['status'] | undefined }): Promise<{ merchants: MerchantView[] }> {
  const merchants = await listMerchantRecords(deps.db);
  return { merchants: merchants.filter((merchant) => !query.status || merchant.status === query.status).map(merchantViewOf) };
}

/** A versioned change of one merchant, logged with what each field was and became. */
async function changeMerchant(
  deps: RegistryDeps,
  actor: Actor,
  merchantId: string,
  what: { action: 'merchant.update' | 'merchant.suspend' | 'merchant.reactivate'; reason: string },
  change: (merchant: Merchant) => Merchant,
): Promise<MerchantView> {
  // Update, suspension and reactivation share one role set (the contracts').
  requireRole(actor, updateMerchantRoute.roles);
  const changed = await withVersionRetry(
    () => readMerchant(deps, merchantId),
    async (read) => {
      const next = { ...change(read), updatedAt: deps.clock().toISOString() };
      const audit = actionLogPut(deps, actor, { action: what.action, target: `merchant:${merchantId}`, reason: what.reason, details: differences(read, next) });
      return (await replaceMerchantRecord(deps.db, read, next, [{ Put: audit }])) && next;
    },
    { what: `${what.action} of ${merchantId}` },
  );
  // This container's terminals see the change at once; the others within the cache time.
  getMerchantCached.forget(deps.db, merchantId);
  return merchantViewOf(changed);
}

/** Each changed field as "before → after" (the settlement account by its mask only). */
function differences(before: Merchant, after: Merchant): Record<string, ActionLogValue> {
  const shown = (merchant: Merchant) => ({
    name: merchant.name,
    category: merchant.category,
    status: merchant.status,
    feeRateBps: String(merchant.feeRateBps),
    settlementPeriod: merchant.settlementPeriod,
    account: merchant.settlementAccount ? `${merchant.settlementAccount.bankName} ${merchant.settlementAccount.accountName} ${merchant.settlementAccount.masked}` : '',
  });
  const was = shown(before);
  const is = shown(after);
  const names = (Object.keys(is) as (keyof typeof is)[]).filter((name) => was[name] !== is[name]);
  // A new account number with the same mask is still a change: the digests tell.
  if (!names.includes('account') && before.settlementAccount?.digest !== after.settlementAccount?.digest) names.push('account');
  return { changed: names, ...Object.fromEntries(names.map((name) => [name, `${was[name]} → ${is[name]}`])) };
}

export async function updateMerchant(
  deps: RegistryDeps,
  actor: Actor,
  merchantId: string,
  body: {
    name?: string | undefined;
    category?: MerchantCategory | undefined;
    settlementAccount?: SettlementAccountInput | undefined;
    feeRateBps?: number | undefined;
    settlementPeriod?: SettlementPeriod | undefined;
    reason: string;
  },
): Promise<MerchantView> {
  requireRole(actor, updateMerchantRoute.roles);
  const account = body.settlementAccount ? settlementAccountOf(await identityKey(deps.config), body.settlementAccount) : undefined;
  return changeMerchant(deps, actor, merchantId, { action: 'merchant.update', reason: body.reason }, (merchant) => ({
    ...merchant,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.category !== undefined ? { category: body.category } : {}),
    ...(body.feeRateBps !== undefined ? { feeRateBps: body.feeRateBps } : {}),
    ...(body.settlementPeriod !== undefined ? { settlementPeriod: body.settlementPeriod } : {}),
    ...(account ? { settlementAccount: account } : {}),
  }));
}

export async function setMerchantStatus(deps: RegistryDeps, actor: Actor, merchantId: string, status: Merchant['status'], reason: string): Promise<MerchantView> {
  return changeMerchant(deps, actor, merchantId, { action: status === 'suspended' ? 'merchant.suspend' : 'merchant.reactivate', reason }, (merchant) => {
    if (merchant.status === status) throw new AppError('MERCHANT_STATUS_UNCHANGED', `${merchantId} is ${status}`);
    return { ...merchant, status };
  });
}

/** Finance was given an account number (a new invoice, a phone call): does it match the one on file? */
export async function checkSettlementAccount(
  deps: RegistryDeps,
  actor: Actor,
  merchantId: string,
  body: { accountNumber: string; reason: string },
): Promise<{ merchantId: string; matches: boolean; masked?: string }> {
  const merchant = await readMerchant(deps, merchantId);
  const matches = settlementAccountMatches(await identityKey(deps.config), merchant.settlementAccount, body.accountNumber);
  // Who asked is kept (a way to probe numbers), never the number asked about.
  await writeActionLogEntry(deps.db, newActionLogEntry(deps, actor, { action: 'merchant.account_check', target: `merchant:${merchantId}`, reason: body.reason, details: { matches } }));
  return { merchantId, matches, ...(merchant.settlementAccount ? { masked: merchant.settlementAccount.masked } : {}) };
}

interface TerminalWithCode {
  terminal: TerminalView;
  activationCode: string;
  activationExpiresAt: string;
}

/** Registers a terminal with no secret yet: the installer exchanges the code shown here (once) on the terminal. */
export async function registerTerminal(
  deps: RegistryDeps,
  actor: Actor,
  body: { terminalId: string; merchantId: string; place: string; kind: TerminalKind; reason: string },
): Promise<TerminalWithCode> {
  const merchant = await readMerchant(deps, body.merchantId);
  const now = deps.clock();
  const code = newActivationCode();
  const terminal: TerminalRecord = {
    terminalId: body.terminalId,
    merchantId: merchant.merchantId,
    place: body.place,
    kind: body.kind,
    status: 'pending_activation',
    activation: pendingActivation(code, now),
    createdAt: now.toISOString(),
    version: 1,
  };
  const audit = actionLogPut(deps, actor, {
    action: 'terminal.register',
    target: `terminal:${terminal.terminalId}`,
    reason: body.reason,
    details: { merchantId: terminal.merchantId, place: terminal.place, kind: body.kind, activationExpiresAt: terminal.activation!.expiresAt },
  });
  if (!(await createTerminal(deps.db, terminal, [{ Put: audit }]))) throw new AppError('TERMINAL_EXISTS', terminal.terminalId);
  return { terminal: terminalViewOf(terminal), activationCode: code, activationExpiresAt: terminal.activation!.expiresAt };
}

async function readTerminal(deps: Pick<Deps, 'db'>, terminalId: string): Promise<TerminalRecord> {
  const terminal = await getTerminal(deps.db, terminalId);
  if (!terminal) throw new AppError('TERMINAL_NOT_FOUND', terminalId);
  return terminal;
}

export async function getTerminalView(deps: Pick<Deps, 'db'>, terminalId: string): Promise<TerminalView> {
  return terminalViewOf(await readTerminal(deps, terminalId));
}

export async function listTerminalViews(deps: Pick<Deps, 'db'>, merchantId: string): Promise<{ terminals: TerminalView[] }> {
  await readMerchant(deps, merchantId);
  return { terminals: (await listMerchantTerminals(deps.db, merchantId)).map(terminalViewOf) };
}

/**
 * A new one-time code for a terminal: the first activation again (the code was lost or expired), a
 * rotation (active: the current secret works until the code is exchanged), or a re-activation
 * (disabled: it stays refused until then). A code handed out before is void.
 */
export async function issueActivationCode(deps: RegistryDeps, actor: Actor, terminalId: string, body: { reason: string }): Promise<TerminalWithCode> {
  const terminal = await readTerminal(deps, terminalId);
  const code = newActivationCode();
  const activation = pendingActivation(code, deps.clock());
  const purpose = terminal.status === 'pending_activation' ? 'activation' : terminal.status === 'active' ? 'rotation' : 'reactivation';
  const audit = actionLogPut(deps, actor, {
    action: 'terminal.activation_code',
    target: `terminal:${terminalId}`,
    reason: body.reason,
    details: { purpose, status: terminal.status, activationExpiresAt: activation.expiresAt },
  });
  if (!(await setActivationCode(deps.db, terminalId, activation, [{ Put: audit }]))) throw new AppError('TERMINAL_NOT_FOUND', terminalId);
  return { terminal: terminalViewOf({ ...terminal, activation }), activationCode: code, activationExpiresAt: activation.expiresAt };
}

export async function disableTerminal(deps: RegistryDeps, actor: Actor, terminalId: string, body: { reason: string }): Promise<TerminalView> {
  const before = await readTerminal(deps, terminalId);
  const at = deps.clock().toISOString();
  const audit = actionLogPut(deps, actor, { action: 'terminal.disable', target: `terminal:${terminalId}`, reason: body.reason, details: { status: before.status, merchantId: before.merchantId } });
  if (!(await disableTerminalRecord(deps.db, terminalId, at, [{ Put: audit }]))) throw new AppError('TERMINAL_ALREADY_DISABLED', terminalId);
  getTerminalCached.forget(deps.db, terminalId);
  return terminalViewOf(await readTerminal(deps, terminalId));
}
