import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDeps, setDeps } from '../../functions/deps';
import { getAccount } from '../../functions/store/accounts';
import type { Db } from '../../functions/store/db';
import { signTerminalRequest } from '../../shared/terminal-signature';
import { createTestAccount, createTestTerminal, terminalFetch, testChipUid } from '../helpers/fixtures';
import { bindPhone } from '../helpers/phone';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const PATH = '/v1/pos/charges';

async function charge(headers: Record<string, string>, body: string): Promise<{ status: number; body: any }> {
  const response = await fetch(platform.url + PATH, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.json() };
}

describe('POS terminal request signatures', () => {
  it.each([
    ['no signature headers at all', () => ({}), 'UNAUTHENTICATED'],
    ['an unknown terminal', (h: Record<string, string>) => ({ ...h, 'x-terminal-id': 'POS-NOBODY' }), 'UNAUTHENTICATED'],
    ['a signature made with another secret', (h: Record<string, string>) => ({ ...h, 'x-signature': h['x-signature']!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }), 'UNAUTHENTICATED'],
    ['a malformed nonce', (h: Record<string, string>) => ({ ...h, 'x-nonce': 'short' }), 'UNAUTHENTICATED'],
    ['a non-numeric timestamp', (h: Record<string, string>) => ({ ...h, 'x-timestamp': 'yesterday' }), 'UNAUTHENTICATED'],
  ])('refuses %s', async (_name, tamper, code) => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const body = JSON.stringify({ posTxnId: 'a1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    const headers = signTerminalRequest(terminal, { method: 'POST', path: PATH, body, now: new Date(), nonce: randomBytes(12).toString('base64url') });
    const res = await charge(tamper(headers), body);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(code);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_000);
  });

  it('refuses a body changed after signing (e.g. a bigger amount)', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const signedBody = JSON.stringify({ posTxnId: 'a2', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    const headers = signTerminalRequest(terminal, { method: 'POST', path: PATH, body: signedBody, now: new Date(), nonce: randomBytes(12).toString('base64url') });
    const res = await charge(headers, signedBody.replace('100', '900'));
    expect(res.status).toBe(401);
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(1_000);
  });

  it.each([
    ['6 minutes slow', -360],
    ['6 minutes fast', 360],
  ])('refuses a terminal clock %s (TERMINAL_CLOCK_SKEW)', async (_name, offsetSeconds) => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'a3', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 }, {
      now: new Date(Date.now() + offsetSeconds * 1000),
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TERMINAL_CLOCK_SKEW');
  });

  it('accepts a terminal clock 4 minutes off', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'a4', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 }, {
      now: new Date(Date.now() - 240_000),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a replayed request (same nonce) even with a new transaction id', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const nonce = randomBytes(12).toString('base64url');
    const first = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'n1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 }, { nonce });
    const replay = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'n2', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 }, { nonce });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('TERMINAL_NONCE_REUSED');
    expect((await getAccount(platform.deps.db, account.accountNo))?.balanceFen).toBe(900);
  });

  it('refuses a disabled terminal', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps, { status: 'disabled' });
    const res = await terminalFetch(platform.url, terminal, 'POST', PATH, { posTxnId: 'd1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TERMINAL_DISABLED');
  });

  it('signs the path, so a signature for another route does not work here', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const body = JSON.stringify({ posTxnId: 'p1', chipUid: await testChipUid(platform.deps, account.accountNo), amountFen: 100 });
    const headers = signTerminalRequest(terminal, { method: 'POST', path: '/v1/pos/other', body, now: new Date(), nonce: randomBytes(12).toString('base64url') });
    expect((await charge(headers, body)).status).toBe(401);
  });
});

describe('a nonce write whose answer was lost', () => {
  /**
   * What the SDK does when the answer of the nonce's PutItem is lost after it committed: it sends the
   * same PutItem again, which then meets the item it wrote itself.
   */
  function resentNonceWrites(real: Db): Db {
    const send = real.doc.send.bind(real.doc) as (command: unknown) => Promise<unknown>;
    return {
      tableName: real.tableName,
      doc: {
        send: (async (command: unknown) => {
          if (command instanceof PutCommand && String(command.input.Item?.pk).startsWith('NONCE#')) {
            await send(command);
            return send(command);
          }
          return send(command);
        }) as Db['doc']['send'],
      },
    };
  }

  it('is not refused as its own replay (the request that spent it may go on)', async () => {
    const account = await createTestAccount(platform.deps, { balanceFen: 1_000 });
    const terminal = await createTestTerminal(platform.deps);
    const phone = await bindPhone(platform.url, account.accountNo);
    const real = platform.deps;
    setDeps(createDeps(real.config, { db: resentNonceWrites(real.db), payments: real.payments }));
    try {
      const res = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/identity-scans', { token: phone.code({ purpose: 'identity' }) });
      expect(res.body.code).toBeUndefined();
      expect(res).toMatchObject({ status: 200, body: { allowed: true } });
    } finally {
      setDeps(real);
    }
    // A real replay (another HTTP request with the same nonce and signature) is still refused.
    const nonce = randomBytes(12).toString('base64url');
    const token = phone.code({ purpose: 'identity' });
    const first = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/identity-scans', { token }, { nonce });
    const replay = await terminalFetch(platform.url, terminal, 'POST', '/v1/pos/identity-scans', { token }, { nonce });
    expect(first.status).toBe(200);
    expect(replay.body.code).toBe('TERMINAL_NONCE_REUSED');
  });
});
