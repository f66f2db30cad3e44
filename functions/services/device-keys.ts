/** Registering the phone key that signs the holder's QR codes. */
import { randomBytes } from 'node:crypto';
import { deviceKeyProofMessage } from '../../shared/qr-token';
import { AppError } from '../app-error';
import type { Deps } from '../deps';
import { assertCanSpend } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { verifyEd25519 } from '../domain/qr-token-verify';
import { getAccount } from '../store/accounts';
import { registerDeviceKey } from '../store/device-keys';

export async function registerHolderDeviceKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountNo: string,
  request: { publicKey: string; proof: string },
): Promise<{ keyId: number; serverTimeMs: number }> {
  const publicKey = Buffer.from(request.publicKey, 'base64url');
  if (publicKey.length !== 32 || !verifyEd25519(publicKey, deviceKeyProofMessage(accountNo, request.publicKey), Buffer.from(request.proof, 'base64url'))) {
    throw new AppError('DEVICE_KEY_PROOF_INVALID', accountNo);
  }
  const account = await getAccount(deps.db, accountNo);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', accountNo);
  assertCanSpend(account, campusDay(deps.clock()));
  const key = await registerDeviceKey(deps.db, accountNo, request.publicKey, deps.clock());
  return { keyId: key.keyId, serverTimeMs: deps.clock().getTime() };
}

/**
 * 32 bytes from the server's CSPRNG for a phone that has no secure random source of its own (Alipay):
 * the phone mixes them with its own entropy into its key seed. Made here and sent once; never stored
 * or logged, so the server's records do not give the key (docs/qr-token.md, threat model).
 */
export function newDeviceKeySeed(): { seed: string } {
  return { seed: randomBytes(32).toString('base64url') };
}
