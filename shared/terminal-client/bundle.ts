/**
 * The offline bundle (GET /v1/pos/offline-bundle) as the terminal keeps it, and the local checks that
 * use it. The QR check is the server's own: the same parse (parseQrToken), the same purpose and window
 * rule (checkQrWindow), then Ed25519 over the same signed message, here with @noble/curves.
 */
import { ed25519 } from '@noble/curves/ed25519';
import type { z } from 'zod';
import { offlineBundleCompact, offlineBundleFull } from '../api/pos';
import { ERRORS, yuanParam, type ErrorCode } from '../errors';
import { applyRows, rowsDigest, sortRows, type KeyRow } from '../offline-bundle';
import { checkQrWindow, parseQrToken, qrTokenId, QrTokenFormatError, QR_TOKEN_STEP_SECONDS, signedMessage, type QrPurpose } from '../qr-token';
import { TerminalRefusal } from './refusal';

export type OfflineBundle = z.output<typeof offlineBundleFull>;

export interface BundleInfo {
  issuedAt: string;
  expiresAt: string;
  expired: boolean;
  /** Device keys (phones) that may pay offline. */
  keys: number;
  /** Keys kept only to say why their account may not pay (marked blocked: CARD_LOST …). */
  blockedKeys: number;
  /** Accounts that may not pay. */
  blacklisted: number;
  /** Chip UIDs that may not pay. */
  blacklistedCards: number;
}

export function bundleInfo(bundle: OfflineBundle, now: Date): BundleInfo {
  return {
    issuedAt: bundle.issuedAt,
    expiresAt: bundle.expiresAt,
    expired: bundleExpired(bundle, now),
    keys: bundle.keys.filter((key) => !key.blocked).length,
    blockedKeys: bundle.keys.filter((key) => key.blocked).length,
    blacklisted: bundle.blacklist.accountNos.length,
    blacklistedCards: bundle.blacklist.chipUids.length,
  };
}

export function bundleExpired(bundle: Pick<OfflineBundle, 'expiresAt'>, now: Date): boolean {
  return now.getTime() >= Date.parse(bundle.expiresAt);
}

/**
 * A downloaded bundle checked before it replaces the kept one: the contract's shape, this terminal's,
 * not expired, the code format's step, and every key a 32-byte Ed25519 key. A bad one is refused and
 * the old bundle stays.
 */
export function checkBundle(raw: unknown, terminalId: string, now: Date): OfflineBundle {
  const parsed = offlineBundleFull.safeParse(raw);
  if (!parsed.success) throw TerminalRefusal.local('OFFLINE_BUNDLE_INVALID', undefined, parsed.error.issues);
  const bundle = parsed.data;
  if (bundle.terminalId !== terminalId) throw TerminalRefusal.local('OFFLINE_BUNDLE_INVALID', undefined, `bundle for ${bundle.terminalId}, not ${terminalId}`);
  if (bundle.stepSeconds !== QR_TOKEN_STEP_SECONDS || bundle.windowSteps < 0) throw TerminalRefusal.local('OFFLINE_BUNDLE_INVALID', undefined, 'unknown QR step or window');
  const badKey = bundle.keys.find((key) => decodePublicKey(key.publicKey) === undefined);
  if (badKey) throw TerminalRefusal.local('OFFLINE_BUNDLE_INVALID', undefined, `key ${badKey.keyId} is not a 32-byte public key`);
  if (Number.isNaN(Date.parse(bundle.expiresAt)) || bundleExpired(bundle, now)) throw TerminalRefusal.local('OFFLINE_BUNDLE_EXPIRED', undefined, bundle.expiresAt);
  return bundle;
}

export type CodeCheck =
  | { ok: true; accountNo: string; keyId: number; tokenId: string; timeStep: number; offlineCapFen: number }
  /** accountNo: only for a genuine code of a blocked account (code is then its refusal, CARD_LOST …). */
  | { ok: false; code: ErrorCode; accountNo?: string };

/**
 * A campus code checked against the bundle, in the server's order (docs/qr-token.md, "What the server
 * accepts", checks 1-4): well-formed, purpose, window, then the signature of a key the bundle has
 * (a key it lacks is unknown or revoked: TOKEN_INVALID, as the server answers an unknown key), then
 * a key marked blocked refuses with its account's reason (CARD_LOST …, the online answer's code). The
 * blacklist, once-only use and the cap are the caller's, as they need the store.
 */
export function checkCodeOffline(bundle: OfflineBundle, token: string, purpose: QrPurpose, now: Date): CodeCheck {
  let parsed: ReturnType<typeof parseQrToken>;
  try {
    parsed = parseQrToken(token);
  } catch (error) {
    if (error instanceof QrTokenFormatError) return { ok: false, code: 'TOKEN_INVALID' };
    throw error;
  }
  const { payload, payloadBytes, signature } = parsed;
  if (payload.purpose !== purpose) return { ok: false, code: 'TOKEN_WRONG_PURPOSE' };
  const inWindow = checkQrWindow(payload.timeStep, now, bundle.windowSteps);
  if (inWindow === 'expired') return { ok: false, code: 'TOKEN_EXPIRED' };
  if (inWindow === 'future') return { ok: false, code: 'TOKEN_NOT_YET_VALID' };
  const key = bundle.keys.find((candidate) => candidate.keyId === payload.keyId);
  const publicKey = key && decodePublicKey(key.publicKey);
  if (!key || !publicKey || !verifyEd25519(publicKey, signedMessage(payloadBytes), signature)) return { ok: false, code: 'TOKEN_INVALID' };
  // A blocked account's key is there only to say why (after the signature, so a forged code learns nothing): never a pass.
  if (key.blocked) return { ok: false, code: key.blocked, accountNo: key.accountNo };
  return { ok: true, accountNo: key.accountNo, keyId: key.keyId, tokenId: qrTokenId(payload), timeStep: payload.timeStep, offlineCapFen: key.offlineCapFen };
}

/** Never throws: a malformed key or signature verifies nothing. */
function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    // zip215 off: strict RFC 8032 like the server's OpenSSL, so both accept exactly the same signatures.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Raw Ed25519 public key from base64url (no padding); undefined unless exactly 32 bytes. */
export function decodePublicKey(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '=');
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return bytes.length === 32 ? bytes : undefined;
}

/** Why the bundle says a chip may not pay: the online charge's own code when the bundle gives it (CARD_LOST, CARD_VOID …), else the list's general one. */
export function cardBlacklistReason(bundle: OfflineBundle, chipUid: string): ErrorCode | undefined {
  if (!bundle.blacklist.chipUids.includes(chipUid)) return undefined;
  return bundle.blacklist.chipReasons?.[chipUid] ?? 'OFFLINE_BLACKLISTED';
}

export interface CardOfflineCheck {
  chipUid: string;
  amountFen: number;
  /** What the chip holds now, as read. */
  chipBalanceFen: number;
}

/**
 * Would takeOffline() take this card? Asked before the chip is debited, so a card it would refuse
 * (blacklisted, bundle missing or expired, too little on the chip) is never written. Pure: nothing
 * is kept; takeOffline() checks again, under its lock, when it queues.
 */
export function checkCardOffline(bundle: OfflineBundle | undefined, card: CardOfflineCheck, now: Date): { ok: true } | { ok: false; refusal: TerminalRefusal } {
  const refused = (code: ErrorCode, params?: Record<string, string | number>) => ({ ok: false as const, refusal: TerminalRefusal.local(code, params) });
  if (!bundle) return refused('OFFLINE_BUNDLE_MISSING');
  if (bundleExpired(bundle, now)) return refused('OFFLINE_BUNDLE_EXPIRED');
  if (!(Number.isInteger(card.amountFen) && card.amountFen > 0)) return { ok: false, refusal: TerminalRefusal.local('VALIDATION_FAILED', undefined, [{ path: 'amountFen', problem: 'must be a whole number of fen above 0' }]) };
  if (!(Number.isInteger(card.chipBalanceFen) && card.chipBalanceFen >= 0)) return refused('OFFLINE_CARD_BALANCE_INVALID');
  const blacklisted = cardBlacklistReason(bundle, card.chipUid);
  if (blacklisted) return refused(blacklisted);
  if (card.chipBalanceFen < card.amountFen) return refused('OFFLINE_CHIP_BALANCE_INSUFFICIENT', { balance: yuanParam(card.chipBalanceFen) });
  return { ok: true };
}

/** What a terminal keeps of a format-2 bundle to apply the next delta to: the version and its rows. */
export interface BundleSync {
  version: string;
  rows: KeyRow[];
}

/**
 * An answer of GET /v1/pos/offline-bundle?format=2 (or the original format, from a server without it)
 * made into the bundle the checks use: a delta is applied to the rows this terminal holds and must give
 * the server's digest; then every check of checkBundle. A key whose account the live blacklist names is
 * blocked with its reason and a cap of 0, as in the original format. `delta` says a delta was refused
 * (the caller asks again for the whole bundle).
 */
export function takeBundle(raw: unknown, held: BundleSync | undefined, terminalId: string, now: Date): { bundle: OfflineBundle; sync?: BundleSync } {
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format === undefined) return { bundle: checkBundle(raw, terminalId, now) };
  const parsed = offlineBundleCompact.safeParse(raw);
  if (!parsed.success) throw TerminalRefusal.local('OFFLINE_BUNDLE_INVALID', undefined, parsed.error.issues);
  const answer = parsed.data;
  let rows: KeyRow[];
  if (answer.full) rows = sortRows(answer.keys);
  else {
    if (!held || held.version !== answer.since) throw new DeltaRefused(`a delta from ${answer.since}, this terminal holds ${held?.version ?? 'none'}`);
    rows = applyRows(held.rows, answer);
  }
  if (rowsDigest(rows) !== answer.digest) throw new DeltaRefused(`the keys do not give the bundle's digest ${answer.digest}`);
  const accounts = answer.blacklist.accounts;
  // A key registered since the snapshot replaces its account's row (one active key per account).
  const renewed = new Set(answer.recent.map((row) => row[2]));
  const recentIds = new Set(answer.recent.map((row) => row[0]));
  const live = sortRows([...rows.filter((row) => !renewed.has(row[2]) && !recentIds.has(row[0])), ...answer.recent]);
  const bundle = checkBundle(
    {
      terminalId: answer.terminalId,
      issuedAt: answer.issuedAt,
      expiresAt: answer.expiresAt,
      stepSeconds: answer.stepSeconds,
      windowSteps: answer.windowSteps,
      keys: live.map(([keyId, publicKey, accountNo, offlineCapFen]) => {
        const blocked = accounts[accountNo];
        return blocked ? { keyId, publicKey, accountNo, offlineCapFen: 0, blocked } : { keyId, publicKey, accountNo, offlineCapFen };
      }),
      blacklist: { accountNos: Object.keys(accounts).sort(), chipUids: Object.keys(answer.blacklist.chips).sort(), chipReasons: answer.blacklist.chips },
    },
    terminalId,
    now,
  );
  return { bundle, sync: { version: answer.version, rows } };
}

/** A bundle answer that does not fit what this terminal holds (OFFLINE_BUNDLE_INVALID): ask for the whole bundle. */
export class DeltaRefused extends TerminalRefusal {
  constructor(detail: string) {
    const { status, zh, en } = ERRORS.OFFLINE_BUNDLE_INVALID;
    super('OFFLINE_BUNDLE_INVALID', status, { zh, en }, { detail });
  }
}
