/** A holder's phone as the mini-program runs it: its own Ed25519 key, registered over HTTP, signing QR codes offline. */
import { ed25519 } from '@noble/curves/ed25519';
import { issueHolderSession } from '../../functions/auth/holder-session';
import { deviceKeyProofMessage, generateDeviceKeyPair, signQrToken, timeStepAt, type QrPurpose } from '../../shared/qr-token';

export interface TestPhone {
  accountNo: string;
  keyId: number;
  privateKey: Uint8Array;
  /** A code as the app draws it at `at` (default now), with its counter. */
  code(options?: { purpose?: QrPurpose; at?: Date; counter?: number }): string;
}

export async function holderToken(accountNo: string): Promise<string> {
  return issueHolderSession(process.env.SESSION_SECRET!, accountNo, new Date());
}

export async function bindPhone(baseUrl: string, accountNo: string): Promise<TestPhone> {
  const { privateKey, publicKey } = generateDeviceKeyPair();
  const publicKeyText = Buffer.from(publicKey).toString('base64url');
  const proof = Buffer.from(ed25519.sign(deviceKeyProofMessage(accountNo, publicKeyText), privateKey)).toString('base64url');
  const response = await fetch(`${baseUrl}/v1/holder/device-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await holderToken(accountNo)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ publicKey: publicKeyText, proof }),
  });
  if (response.status !== 201) throw new Error(`binding failed: ${response.status} ${await response.text()}`);
  const { keyId } = (await response.json()) as { keyId: number };
  let counter = 0;
  return {
    accountNo,
    keyId,
    privateKey,
    code: (options = {}) =>
      signQrToken(
        { version: 1, purpose: options.purpose ?? 'pay', keyId, timeStep: timeStepAt((options.at ?? new Date()).getTime()), counter: options.counter ?? counter++ % 256 },
        privateKey,
      ),
  };
}
