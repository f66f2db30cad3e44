/**
 * The offline POS: the bundle a terminal works from while the network is down, and the upload of
 * what it took meanwhile. Each record is stored exactly once (OFFLINE#<terminal>#<recordId>) with what
 * became of it: applied (one ledger movement, in the same transaction), held (no money moved, the
 * account frozen for card staff where the rules say so) or rejected (not a valid payment).
 */
import type { z } from 'zod';
import type { offlineBundle, offlineBundleFull, offlineRecordBody, offlineUploadResponse, OFFLINE_CARD_REASONS } from '../../shared/api/pos';
import { parseQrToken, qrTokenId, QrTokenFormatError, QR_TOKEN_STEP_SECONDS } from '../../shared/qr-token';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { accountStatusAt, spendRefusal, type Account } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { fingerprint } from '../domain/fingerprint';
import type { Terminal } from '../domain/merchant';
import { OFFLINE_POLICY, bundleExpiry, decideOfflineRecord, offlineCapFen, planOfflinePurchase, USED_PAY_TOKEN_KEEP_SECONDS, type HoldReason, type OfflineRecordFacts } from '../domain/offline';
import { cardRefusal, cardStatusAt } from '../domain/card';
import { getMerchantCached } from '../store/terminals';
import { checkQrWindow, verifyQrSignature } from '../domain/qr-token-verify';
import { getAccount, getAccounts } from '../store/accounts';
import { findCardByChipUid } from '../store/cards';
import { getDeviceKey, listActiveDeviceKeys, listDeviceKeysRegisteredSince } from '../store/device-keys';
import { findingPut } from '../store/reconciliation-findings';
import type { TransactItem } from '../store/movements';
import { getOfflineRecord, holdOfflineRecord, listBlockedAccounts, listBlockedCards, offlineRecordPut, rejectOfflineRecord, type OfflineOutcome, type StoredOfflineRecord } from '../store/offline';
import { usedTokenPut } from '../store/qr-tokens';
import { getLatestSnapshotRef, getSnapshot, putSnapshot, type BundleSnapshot } from '../store/offline-bundles';
import { diffRows, rowsDigest, sortRows, type KeyRow } from '../../shared/offline-bundle';

type OfflineRecord = z.infer<typeof offlineRecordBody>;
type RecordResult = z.infer<typeof offlineUploadResponse>['results'][number];
type OfflineDeps = Pick<Deps, 'db' | 'clock' | 'movements'>;
type BundleKey = z.infer<typeof offlineBundleFull>['keys'][number];
type OfflineCardReason = (typeof OFFLINE_CARD_REASONS)[number];
type CompactBundle = Extract<z.infer<(typeof offlineBundle)['response']>, { format: 2 }>;


export async function buildOfflineBundle(deps: Pick<Deps, 'db' | 'clock'>, terminal: Terminal) {
  const now = deps.clock();
  const today = campusDay(now);
  const [deviceKeys, blocked, blockedCards] = await Promise.all([listActiveDeviceKeys(deps.db), listBlockedAccounts(deps.db), listBlockedCards(deps.db)]);
  const accounts = new Map((await getAccounts(deps.db, [...new Set(deviceKeys.map((key) => key.accountNo))])).map((a) => [a.accountNo, a]));
  const blacklist = new Set(blocked.map((account) => account.accountNo));
  // Every card that may not pay (a replaced card for ever), and the active card of every blocked account,
  // each with what the online charge answers for it: the card's own refusal first, then its account's.
  const chipReasons = new Map<string, OfflineCardReason>();
  for (const account of blocked) {
    const reason = spendRefusal(account, today);
    if (account.activeChipUid && reason) chipReasons.set(account.activeChipUid, reason);
  }
  for (const card of blockedCards) chipReasons.set(card.chipUid, cardRefusal(card.status) ?? 'CARD_VOID');
  const keys: BundleKey[] = [];
  for (const key of deviceKeys) {
    const account = accounts.get(key.accountNo);
    if (!account) {
      blacklist.add(key.accountNo);
      continue;
    }
    const blocked = spendRefusal(account, today);
    if (blocked) {
      blacklist.add(key.accountNo);
      if (account.activeChipUid && !chipReasons.has(account.activeChipUid)) chipReasons.set(account.activeChipUid, blocked);
      // Kept, marked, with no cap: offline the holder's own code then says why it cannot pay (CARD_LOST …,
      // as online) instead of looking forged (TOKEN_INVALID); the blacklist still refuses it too.
      keys.push({ keyId: key.keyId, publicKey: key.publicKey, accountNo: key.accountNo, offlineCapFen: 0, blocked });
      continue;
    }
    keys.push({ keyId: key.keyId, publicKey: key.publicKey, accountNo: key.accountNo, offlineCapFen: offlineCapFen(account) });
  }
  return {
    terminalId: terminal.terminalId,
    issuedAt: now.toISOString(),
    expiresAt: bundleExpiry(now),
    stepSeconds: QR_TOKEN_STEP_SECONDS,
    windowSteps: 1,
    keys,
    blacklist: { accountNos: [...blacklist].sort(), chipUids: [...chipReasons.keys()].sort(), chipReasons: Object.fromEntries([...chipReasons].sort(([a], [b]) => (a < b ? -1 : 1))) },
  };
}

/**
 * How often the campus-wide key snapshot (format 2) is rebuilt: the one full read of every active key
 * and its account, once an interval for all terminals instead of once per terminal's request. A cap in
 * it is at most this old when served, on top of the up to bundleHours a terminal keeps its bundle.
 */
export const BUNDLE_SNAPSHOT_MINUTES = 60;
/** A snapshot stays a delta's base while a terminal may still hold a bundle made from it, and a day more. */
export const BUNDLE_SNAPSHOT_KEEP_HOURS = OFFLINE_POLICY.bundleHours + 24;

/** Every active key as a row, read in full: what the legacy bundle reads on every request. */
async function buildSnapshot(deps: Pick<Deps, 'db' | 'clock'>): Promise<BundleSnapshot> {
  const now = deps.clock();
  const today = campusDay(now);
  const deviceKeys = await listActiveDeviceKeys(deps.db);
  const accounts = new Map((await getAccounts(deps.db, [...new Set(deviceKeys.map((key) => key.accountNo))])).map((a) => [a.accountNo, a]));
  const rows: KeyRow[] = [];
  const refused: BundleSnapshot['refused'] = {};
  const refusedChips: BundleSnapshot['refusedChips'] = {};
  for (const key of deviceKeys) {
    const account = accounts.get(key.accountNo);
    // A key whose account is gone is left out: its code is then refused as an unknown key's (TOKEN_INVALID).
    if (!account) continue;
    const blocked = spendRefusal(account, today);
    if (blocked) {
      refused[account.accountNo] = blocked;
      if (account.activeChipUid) refusedChips[account.activeChipUid] = blocked;
    }
    rows.push([key.keyId, key.publicKey, key.accountNo, blocked ? 0 : offlineCapFen(account)]);
  }
  const sorted = sortRows(rows);
  const snapshot: BundleSnapshot = {
    version: String(now.getTime()),
    builtAt: now.toISOString(),
    digest: rowsDigest(sorted),
    keptUntil: new Date(now.getTime() + BUNDLE_SNAPSHOT_KEEP_HOURS * 3_600_000).toISOString(),
    rows: sorted,
    refused,
    refusedChips,
  };
  await putSnapshot(deps.db, snapshot);
  return snapshot;
}

/** The newest snapshot if it is younger than the interval, else a new one. */
async function currentSnapshot(deps: Pick<Deps, 'db' | 'clock'>): Promise<BundleSnapshot> {
  const now = deps.clock();
  const latest = await getLatestSnapshotRef(deps.db);
  const age = latest ? now.getTime() - Date.parse(latest.builtAt) : Infinity;
  if (latest && age >= 0 && age < BUNDLE_SNAPSHOT_MINUTES * 60_000) {
    const snapshot = await getSnapshot(deps.db, latest.version, now);
    if (snapshot) return snapshot;
  }
  return buildSnapshot(deps);
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The bundle in format 2: the keys from the campus snapshot (whole, or a delta from the version the
 * terminal holds when that snapshot is still kept), the blacklist live from the sparse blocked indexes
 * on every request, so a loss report reaches the next refresh whatever the snapshot's age.
 */
export async function buildCompactBundle(deps: Pick<Deps, 'db' | 'clock'>, terminal: Terminal, since?: string): Promise<CompactBundle> {
  const now = deps.clock();
  const today = campusDay(now);
  const [snapshot, blocked, blockedCards] = await Promise.all([currentSnapshot(deps), listBlockedAccounts(deps.db), listBlockedCards(deps.db)]);
  const accounts = new Map(Object.entries(snapshot.refused));
  const chips = new Map<string, OfflineCardReason>(Object.entries(snapshot.refusedChips));
  for (const account of blocked) {
    const reason = spendRefusal(account, today);
    if (!reason) continue;
    accounts.set(account.accountNo, reason);
    if (account.activeChipUid) chips.set(account.activeChipUid, reason);
  }
  // Phones bound since the snapshot, live (a holder who just bound pays offline at once): a few per hour's index.
  const newKeys = await listDeviceKeysRegisteredSince(deps.db, new Date(snapshot.builtAt), now);
  const newAccounts = new Map((await getAccounts(deps.db, [...new Set(newKeys.map((key) => key.accountNo))])).map((a) => [a.accountNo, a]));
  const recent: KeyRow[] = [];
  for (const key of newKeys) {
    const account = newAccounts.get(key.accountNo);
    if (!account) continue;
    const refusal = spendRefusal(account, today);
    if (refusal) accounts.set(account.accountNo, refusal);
    recent.push([key.keyId, key.publicKey, key.accountNo, refusal ? 0 : offlineCapFen(account)]);
  }
  // The card's own refusal wins over its account's, as the online charge answers.
  for (const card of blockedCards) chips.set(card.chipUid, cardRefusal(card.status) ?? 'CARD_VOID');
  const base = {
    format: 2 as const,
    terminalId: terminal.terminalId,
    issuedAt: now.toISOString(),
    expiresAt: bundleExpiry(now),
    stepSeconds: QR_TOKEN_STEP_SECONDS,
    windowSteps: 1,
    version: snapshot.version,
    digest: snapshot.digest,
    recent: sortRows(recent),
    blacklist: { accounts: sortedRecord(accounts), chips: sortedRecord(chips) },
  };
  if (since === snapshot.version) return { ...base, full: false, since, upsert: [], remove: [] };
  const old = since === undefined ? undefined : await getSnapshot(deps.db, since, now);
  // Unknown or past its retention: the whole bundle, which the terminal takes in place of its own.
  if (!old) return { ...base, full: true, keys: snapshot.rows };
  return { ...base, full: false, since: old.version, ...diffRows(old.rows, snapshot.rows) };
}

/**
 * Which account an offline record charges, and what the server knew of the payer when the payment
 * was made: a card is judged by its own status then (lost, replaced, cancelled), a QR code by its
 * key and by whether its account had been reported lost or closed by then.
 */
async function resolveAccount(
  deps: Pick<Deps, 'db'>,
  record: OfflineRecord,
): Promise<{ accountNo: string; tokenId?: string; cardId?: string; refusedThen?: 'card_lost' | 'card_void' } | { rejected: string }> {
  const occurredAt = new Date(record.occurredAt);
  if (record.method === 'card') {
    const card = await findCardByChipUid(deps.db, record.chipUid!);
    if (!card) return { rejected: 'UNKNOWN_CARD' };
    const refusal = cardRefusal(cardStatusAt(card, record.occurredAt));
    return { accountNo: card.accountNo, cardId: card.cardId, ...(refusal ? { refusedThen: refusal === 'CARD_LOST' ? ('card_lost' as const) : ('card_void' as const) } : {}) };
  }
  let parsed: ReturnType<typeof parseQrToken>;
  try {
    parsed = parseQrToken(record.token!);
  } catch (error) {
    if (error instanceof QrTokenFormatError) return { rejected: 'TOKEN_INVALID' };
    throw error;
  }
  if (parsed.payload.purpose !== 'pay') return { rejected: 'TOKEN_WRONG_PURPOSE' };
  if (checkQrWindow(parsed.payload.timeStep, occurredAt) !== 'ok') return { rejected: 'TOKEN_EXPIRED' };
  const key = await getDeviceKey(deps.db, parsed.payload.keyId);
  if (!key || !verifyQrSignature(Buffer.from(key.publicKey, 'base64url'), parsed.payloadBytes, parsed.signature)) return { rejected: 'TOKEN_INVALID' };
  // A key revoked before the payment was not in any valid bundle.
  if (key.revokedAt !== undefined && key.revokedAt <= record.occurredAt) return { rejected: 'TOKEN_KEY_REVOKED' };
  return { accountNo: key.accountNo, tokenId: qrTokenId(parsed.payload) };
}

/** A QR code pays for its account as the account was then: not after a loss report or the closing. */
function qrRefusalThen(account: Account, occurredAt: string): 'card_lost' | 'card_void' | undefined {
  const then = accountStatusAt(account, occurredAt);
  return then === 'lost' ? 'card_lost' : then === 'cancelled' ? 'card_void' : undefined;
}

function resultOf(recordId: string, result: OfflineOutcome, replayed: boolean): RecordResult {
  return { recordId, ...result, replayed };
}

async function applyRecord(deps: OfflineDeps, terminal: Terminal, record: OfflineRecord): Promise<RecordResult> {
  const now = deps.clock();
  const recordFingerprint = fingerprint({
    amountFen: record.amountFen,
    occurredAt: record.occurredAt,
    method: record.method,
    token: record.token ?? null,
    chipUid: record.chipUid ?? null,
    chip: record.chipBalanceAfterFen ?? null,
  });
  const stored = (accountNo: string | undefined, result: OfflineOutcome): StoredOfflineRecord => ({
    terminalId: terminal.terminalId,
    recordId: record.recordId,
    fingerprint: recordFingerprint,
    ...(accountNo ? { accountNo } : {}),
    amountFen: record.amountFen,
    occurredAt: record.occurredAt,
    receivedAt: now.toISOString(),
    result,
  });

  /** The merchant's claim the upload did not charge, for the card centre's reconciliation queue: committed with the record. */
  const claim = (accountNo: string | undefined, kind: 'offline_record_held' | 'offline_record_rejected', reason: string): TransactItem[] => [
    {
      Put: findingPut(deps.db, {
        source: 'offline_upload',
        kind,
        day: campusDay(new Date(record.occurredAt)),
        ref: `${terminal.terminalId}/${record.recordId}`,
        ...(accountNo ? { accountNo } : {}),
        outsideFen: record.amountFen,
        oursFen: 0,
        detail: `offline record ${terminal.terminalId}/${record.recordId} of ${record.amountFen} fen at ${record.occurredAt} was not charged (${reason}): the merchant's claim is kept in the record`,
        createdAt: now.toISOString(),
      }),
    },
  ];

  const merchant = await getMerchantCached(deps.db, terminal.merchantId, now);
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await getOfflineRecord(deps.db, terminal.terminalId, record.recordId);
    if (existing) {
      if (existing.fingerprint !== recordFingerprint) return resultOf(record.recordId, { outcome: 'rejected', reason: 'IDEMPOTENCY_CONFLICT' }, false);
      return resultOf(record.recordId, existing.result, true);
    }
    const target = await resolveAccount(deps, record);
    if ('rejected' in target) {
      const result: OfflineOutcome = { outcome: 'rejected', reason: target.rejected };
      if (await rejectOfflineRecord(deps.db, stored(undefined, result), claim(undefined, 'offline_record_rejected', target.rejected))) return resultOf(record.recordId, result, false);
      continue; // a concurrent upload stored it first: answer as it did
    }
    const account = await getAccount(deps.db, target.accountNo);
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', target.accountNo);
    const refusedThen = target.cardId !== undefined ? target.refusedThen : qrRefusalThen(account, record.occurredAt);
    const facts: OfflineRecordFacts = {
      amountFen: record.amountFen,
      occurredAt: new Date(record.occurredAt),
      ...(record.chipBalanceAfterFen !== undefined ? { chipBalanceAfterFen: record.chipBalanceAfterFen } : {}),
      ...(target.cardId !== undefined ? { cardId: target.cardId } : {}),
      ...(refusedThen ? { refusedThen } : {}),
      ...(merchant ? { placeCategory: merchant.category } : {}),
    };
    const decision = decideOfflineRecord(account, facts, now);
    /** Stores the record as held; undefined if the account or the record changed meanwhile (decide again). */
    const hold = async (reason: HoldReason, freeze: boolean): Promise<RecordResult | undefined> => {
      const result: OfflineOutcome = { outcome: 'held', reason, frozen: freeze || account.status === 'frozen' };
      return (await holdOfflineRecord(deps.db, account, stored(account.accountNo, result), freeze, claim(account.accountNo, 'offline_record_held', reason))) ? resultOf(record.recordId, result, false) : undefined;
    };
    if (decision.kind === 'hold') {
      const held = await hold(decision.reason, decision.freeze);
      if (held) return held;
      continue;
    }
    if (decision.kind === 'reflected') {
      // Already in the account through the levelling: stored once, never deducted again.
      const result: OfflineOutcome = { outcome: 'reflected', reason: 'levelled' };
      if (await rejectOfflineRecord(deps.db, stored(account.accountNo, result))) return resultOf(record.recordId, result, false);
      continue;
    }
    try {
      const posted = await deps.movements.post({
        accountNo: account.accountNo,
        idempotencyKey: `offline#${terminal.terminalId}#${record.recordId}`,
        fingerprint: recordFingerprint,
        plan: (current, today) =>
          planOfflinePurchase(current, { ...facts, merchantId: terminal.merchantId, terminalId: terminal.terminalId, recordId: record.recordId, channel: 'offline_pos' }, today, now),
        alsoWrite: (entry) => [
          {
            item: {
              Put: offlineRecordPut(deps.db, {
                ...stored(account.accountNo, {
                  outcome: 'applied',
                  receiptNo: entry.receiptNo,
                  balanceFen: entry.after.balanceFen,
                  frozen: entry.reason === 'card_database_mismatch' || account.status === 'frozen',
                }),
                ...(target.cardId !== undefined ? { cardId: target.cardId } : {}),
                ...(target.tokenId !== undefined ? { tokenId: target.tokenId } : {}),
              }),
            },
            onConflict: () => 'retry',
          },
          ...(target.tokenId
            ? [{ item: { Put: usedTokenPut(deps.db, target.tokenId, account.accountNo, `offline#${terminal.terminalId}#${record.recordId}`, now, USED_PAY_TOKEN_KEEP_SECONDS) }, onConflict: () => new AppError('TOKEN_REUSED', target.tokenId) }]
            : []),
        ],
      });
      if (posted.replayed) continue; // answered by the stored record on the next pass
      const result = stored(account.accountNo, {
        outcome: 'applied',
        receiptNo: posted.entry.receiptNo,
        balanceFen: posted.entry.after.balanceFen,
        frozen: posted.entry.reason === 'card_database_mismatch' || account.status === 'frozen',
      }).result;
      return resultOf(record.recordId, result, false);
    } catch (error) {
      if (error instanceof AppError && error.code === 'OFFLINE_RECORD_HELD') continue; // the account changed: decide again
      // The same code paid twice offline (a screenshot on two terminals): keep it for card staff, move no money.
      if (error instanceof AppError && error.code === 'TOKEN_REUSED') {
        const held = await hold('token_reused', false);
        if (held) return held;
        continue;
      }
      throw error;
    }
  }
  throw new AppError('BUSY_RETRY', `offline record ${record.recordId}`);
}

function payerKeyOf(token: string): string {
  try {
    return String(parseQrToken(token).payload.keyId);
  } catch {
    return 'unreadable';
  }
}

/**
 * Applies an upload: records of one account in the order they happened, accounts side by side.
 * One record's failure never loses the others: each answers for itself.
 */
export async function uploadOfflineRecords(deps: OfflineDeps, terminal: Terminal, records: OfflineRecord[]): Promise<RecordResult[]> {
  const ordered = [...records].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  // Group by what identifies the payer on the record, so one payer's records stay in order.
  const groups = new Map<string, OfflineRecord[]>();
  for (const record of ordered) {
    const payer = record.method === 'card' ? `card#${record.chipUid}` : `qr#${payerKeyOf(record.token!)}`;
    groups.set(payer, [...(groups.get(payer) ?? []), record]);
  }
  const results = new Map<string, RecordResult>();
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const record of group) results.set(record.recordId, await applyRecord(deps, terminal, record));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return records.map((record) => results.get(record.recordId)!);
}

