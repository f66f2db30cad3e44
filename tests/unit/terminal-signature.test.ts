import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { assertTerminalClock, assertTerminalSignature, readTerminalHeaders } from '../../functions/domain/terminal-auth';
import { canonicalTerminalRequest, signTerminalRequest } from '../../shared/terminal-signature';

const terminal = { terminalId: 'POS-1', secret: 'secret-of-pos-1' };
const request = { method: 'POST', path: '/v1/pos/charges', body: '{"amountFen":100}', now: new Date('2026-11-23T04:00:00Z'), nonce: 'nonce-0001' };

describe('terminal request signatures', () => {
  it('canonical form: method, path, timestamp, nonce, body hash', () => {
    expect(canonicalTerminalRequest({ method: 'post', path: '/p', timestamp: '1', nonce: 'n', body: '' })).toBe(
      'POST\n/p\n1\nn\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('verifies what it signed, and nothing that differs in any part', () => {
    const headers = signTerminalRequest(terminal, request);
    const signed = readTerminalHeaders(headers);
    expect(() => assertTerminalSignature(terminal.secret, signed, request)).not.toThrow();
    for (const changed of [{ method: 'PUT' }, { path: '/v1/pos/x' }, { body: '{"amountFen":101}' }]) {
      expect(() => assertTerminalSignature(terminal.secret, signed, { ...request, ...changed })).toThrow(AppError);
    }
    expect(() => assertTerminalSignature('another-secret', signed, request)).toThrow(AppError);
    expect(() => assertTerminalSignature(terminal.secret, { ...signed, nonce: 'nonce-0002' }, request)).toThrow(AppError);
  });

  it.each([
    [0, true],
    [300, true],
    [-300, true],
    [301, false],
    [-301, false],
  ])('clock skew of %i s accepted: %s', (skew, ok) => {
    const now = new Date('2026-11-23T04:00:00Z');
    const timestamp = String(now.getTime() / 1000 + skew);
    if (ok) expect(() => assertTerminalClock(timestamp, now)).not.toThrow();
    else expect(() => assertTerminalClock(timestamp, now)).toThrow(expect.objectContaining({ code: 'TERMINAL_CLOCK_SKEW' }));
  });
});

describe('the server and the shared signer agree', () => {
  it('node:crypto HMAC on the server equals the @noble signer terminals use, for many bodies', async () => {
    const { createHmac } = await import('node:crypto');
    const { terminalSignature } = await import('../../shared/terminal-signature');
    for (const body of ['', '{}', '{"amountFen":1}', '中文'.repeat(100), 'x'.repeat(10_000)]) {
      const parts = { method: 'POST', path: '/v1/pos/qr-payments', timestamp: '1795435200', nonce: 'abcdefgh', body };
      expect(terminalSignature('s3cret', parts)).toBe(createHmac('sha256', 's3cret').update(canonicalTerminalRequest(parts)).digest('base64url'));
    }
  });
});
