/**
 * The campus QR code at a terminal: a payment at a POS, or an identity check at a gate. The token is
 * checked (format, purpose, time window, the device key's signature) before any money moves; its
 * once-only record is written in the same transaction as the debit, so a token pays at most once.
 */
import type { z } from 'zod';
import type { identityScanBody, identityScanResponse, qrPaymentBody, qrPaymentResponse } from '../../shared/api/pos';
import { parseQrToken, qrTokenId, QrTokenFormatError, type QrPurpose, type QrTokenPayload } from '../../shared/qr-token';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { maskHolderName, placeRefusal, spendRefusal, type Account } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { fingerprint } from '../domain/fingerprint';
import type { Terminal } from '../domain/merchant';
import { planPurchase } from '../domain/movement-plans';
import { checkQrWindow, verifyQrSignature } from '../domain/qr-token-verify';
import { getAccount } from '../store/accounts';
import { getDeviceKeyMaterial, type DeviceKeyMaterial } from '../store/device-keys';
import { answerAsOriginal, onceOnly, type MovementResult, type OnceOnly } from '../store/movements';
import { markTokenUsed, usedTokenPut } from '../store/qr-tokens';
import { getMerchantCached } from '../store/terminals';
import { USED_PAY_TOKEN_KEEP_SECONDS } from '../domain/offline';
import { verifyHolderPassword } from './passwords';
import { posPaymentKey } from './pos-transactions';
import { tellIfLost } from './lost-found';

/** A used identity code is remembered a little longer than any window in which it could be accepted (it can never pay). */
const USED_IDENTITY_TOKEN_TTL_SECONDS = 10 * 60;

export interface VerifiedToken {
  payload: QrTokenPayload;
  tokenId: string;
  key: DeviceKeyMaterial;
}

/** A new binding revokes the old phone's key: only the account's active key may sign its codes. */
function assertActiveKey(account: Account, keyId: number): void {
  if (account.activeDeviceKeyId !== keyId) throw new AppError('TOKEN_KEY_REVOKED', `key ${keyId} of ${account.accountNo}`);
}

export async function verifyQrToken(deps: Pick<Deps, 'db' | 'clock'>, token: string, purpose: QrPurpose): Promise<VerifiedToken> {
  let parsed: ReturnType<typeof parseQrToken>;
  try {
    parsed = parseQrToken(token);
  } catch (error) {
    if (error instanceof QrTokenFormatError) throw new AppError('TOKEN_INVALID', error.message);
    throw error;
  }
  if (parsed.payload.purpose !== purpose) throw new AppError('TOKEN_WRONG_PURPOSE', `${parsed.payload.purpose} code shown for ${purpose}`);
  const window = checkQrWindow(parsed.payload.timeStep, deps.clock());
  if (window === 'expired') throw new AppError('TOKEN_EXPIRED', `step ${parsed.payload.timeStep}`);
  if (window === 'future') throw new AppError('TOKEN_NOT_YET_VALID', `step ${parsed.payload.timeStep}`);
  const key = await getDeviceKeyMaterial(deps.db, parsed.payload.keyId);
  if (!key) throw new AppError('TOKEN_INVALID', `unknown key ${parsed.payload.keyId}`);
  if (!verifyQrSignature(Buffer.from(key.publicKey, 'base64url'), parsed.payloadBytes, parsed.signature)) {
    throw new AppError('TOKEN_INVALID', `bad signature for key ${key.keyId}`);
  }
  // Whether the key is still the account's active one is checked against the account itself
  // (read in the same step as the money), after the signature, so only the key's holder learns it.
  return { payload: parsed.payload, tokenId: qrTokenId(parsed.payload), key };
}

export async function payByQr(
  deps: Pick<Deps, 'db' | 'clock' | 'movements'>,
  terminal: Terminal,
  request: z.infer<typeof qrPaymentBody>,
  /** The request's nonce: spent with the money, or first of all when a password is tried (so a replay cannot count wrong guesses). */
  requestNonce?: OnceOnly & { spend(): Promise<void> },
): Promise<z.infer<typeof qrPaymentResponse>> {
  const idempotencyKey = posPaymentKey(terminal.terminalId, request.posTxnId);
  const paymentFingerprint = fingerprint({ type: 'purchase', channel: 'qr', tokenId: tokenIdAsRead(request.token), amountFen: request.amountFen });
  const passwordTried = request.consumptionPassword !== undefined;
  let verified: VerifiedToken;
  try {
    verified = await verifyQrToken(deps, request.token, 'pay');
    if (passwordTried) {
      await requestNonce?.spend();
      await verifyHolderPassword(deps, verified.key.accountNo, 'consumption', request.consumptionPassword!);
    }
  } catch (refusal) {
    // A retry of a posted payment may no longer pass these (the code has expired, the password
    // locked since): it answers as the original did. Only a refusal pays the read of the record; a
    // first request goes straight to the movement, whose own condition finds a repeat.
    return qrPaymentResult(await answerAsOriginal(deps.db, idempotencyKey, paymentFingerprint, refusal));
  }
  const { accountNo } = verified.key;
  const now = deps.clock();
  const merchant = await getMerchantCached(deps.db, terminal.merchantId, now);
  const result = await deps.movements.post({
    accountNo,
    idempotencyKey,
    fingerprint: paymentFingerprint,
    plan: (account, today) => {
      assertActiveKey(account, verified.key.keyId);
      return planPurchase(
        account,
        {
          amountFen: request.amountFen,
          channel: 'qr',
          merchantId: terminal.merchantId,
          terminalId: terminal.terminalId,
          externalRef: request.posTxnId,
          consumptionPasswordVerified: request.consumptionPassword !== undefined,
          ...(merchant ? { placeCategory: merchant.category } : {}),
        },
        today,
      );
    },
    alsoWrite: () => [
      {
        item: { Put: usedTokenPut(deps.db, verified.tokenId, accountNo, idempotencyKey, now, USED_PAY_TOKEN_KEEP_SECONDS) },
        onConflict: () => new AppError('TOKEN_REUSED', verified.tokenId),
      },
      ...onceOnly(passwordTried ? undefined : requestNonce),
    ],
  });
  return qrPaymentResult(result);
}

/** The token's id as the payment's fingerprint names it, read without judging the token (a retry's code may have expired since). */
function tokenIdAsRead(token: string): string {
  try {
    return qrTokenId(parseQrToken(token).payload);
  } catch {
    // Nothing can have posted with an unreadable code, so this only ever meets another request's record.
    return `unreadable:${token}`;
  }
}

function qrPaymentResult({ entry, holderName, replayed }: MovementResult): z.infer<typeof qrPaymentResponse> {
  return {
    receiptNo: entry.receiptNo,
    amountFen: entry.amountFen,
    balanceFen: entry.after.balanceFen,
    holderDisplayName: maskHolderName(holderName),
    postedAt: entry.createdAt,
    replayed,
  };
}

export async function scanIdentity(
  deps: Pick<Deps, 'db' | 'clock'>,
  terminal: Terminal,
  request: z.infer<typeof identityScanBody>,
): Promise<z.infer<typeof identityScanResponse>> {
  const verified = await verifyQrToken(deps, request.token, 'identity');
  const merchant = await getMerchantCached(deps.db, terminal.merchantId, deps.clock());
  const now = deps.clock();
  const today = campusDay(now);
  const account = await getAccount(deps.db, verified.key.accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', verified.key.accountNo);
  assertActiveKey(account, verified.key.keyId);
  if (!(await markTokenUsed(deps.db, verified.tokenId, account.accountNo, `identity#${terminal.terminalId}`, now, USED_IDENTITY_TOKEN_TTL_SECONDS))) {
    throw new AppError('TOKEN_REUSED', verified.tokenId);
  }
  const holder = { holderName: account.holderName, personId: account.personId, cardType: account.cardType };
  const refusal = spendRefusal(account, today);
  if (refusal) {
    // A lost account's code shown at a gate: its holder is told where (best effort, bounded; the answer is unchanged).
    await tellIfLost(deps, refusal, terminal, { accountNo: account.accountNo, cardRef: 'qr' }, 'gate');
    return { allowed: false, reason: refusal, ...holder };
  }
  if (placeRefusal(account, merchant?.category, today)) {
    return { allowed: false, reason: 'CARD_REPLACED_TODAY', ...holder };
  }
  return { allowed: true, ...holder };
}
