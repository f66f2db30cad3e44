/**
 * The offline bundle's format 2 (issue 17 item 2): rows of a campus-wide snapshot built once an hour,
 * a delta since the version a terminal holds, the blacklist live on every request.
 */
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps';
import { buildCompactBundle, buildOfflineBundle, BUNDLE_SNAPSHOT_KEEP_HOURS, BUNDLE_SNAPSHOT_MINUTES } from '../../functions/services/offline';
import { topUp } from '../../functions/services/movements';
import { registerDeviceKey } from '../../functions/store/device-keys';
import type { Terminal } from '../../functions/domain/merchant';
import { applyRows, diffRows, rowsDigest, sortRows, type KeyRow } from '../../shared/offline-bundle';
import { generateDeviceKeyPair } from '../../shared/qr-token';
import { DeltaRefused, takeBundle, type BundleSync } from '../../shared/terminal-client/bundle';
import { connectTerminal, memoryStore } from '../../shared/terminal-client';
import { randomBytes } from 'node:crypto';
import { signTerminalRequest } from '../../shared/terminal-signature';
import { createTestAccount, createTestTerminal, setAccountStatus } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';
import { seededRandom } from '../../bench/seed';

const platform = useTestPlatform({ http: true });
const HOUR = 3_600_000;
const INTERVAL = BUNDLE_SNAPSHOT_MINUTES * 60_000;

/** The platform's deps on a clock the test moves (snapshots are built by the clock's hour). */
function clocked(start: number) {
  let now = start;
  const deps: Deps = { ...platform.deps, clock: () => new Date(now) };
  return { deps, advance: (ms: number) => (now += ms), now: () => new Date(now) };
}

async function holderWithKey(deps: Deps, balanceFen: number) {
  const account = await createTestAccount(deps, { balanceFen });
  const key = await registerDeviceKey(deps.db, account.accountNo, Buffer.from(generateDeviceKeyPair().publicKey).toString('base64url'), deps.clock());
  return { accountNo: account.accountNo, keyId: key.keyId };
}

/** GET of the bundle with a query (the signature covers the path, not the query, as the client signs it). */
async function getBundle(terminal: Pick<Terminal, 'terminalId' | 'secret'>, query: string): Promise<{ status: number; body: any }> {
  const path = '/v1/pos/offline-bundle';
  const headers = signTerminalRequest(terminal, { method: 'GET', path, body: '', now: new Date(), nonce: randomBytes(12).toString('base64url') });
  const response = await fetch(`${platform.url}${path}?${query}`, { headers });
  return { status: response.status, body: await response.json() };
}

type Compact = Awaited<ReturnType<typeof buildCompactBundle>>;
const rowsOf = (bundle: Compact): KeyRow[] => (bundle.full ? bundle.keys : []);

describe('the offline bundle at scale (format 2)', () => {
  it('a delta applied to the rows held equals the full bundle of the same moment, over random changes (keys added and replaced, caps, blocks)', async () => {
    const { deps, advance, now } = clocked(Date.now() + 1_000 * HOUR);
    const terminal = await createTestTerminal(deps);
    const random = seededRandom(17);
    const holders = await Promise.all(Array.from({ length: 12 }, (_, i) => holderWithKey(deps, 500 + i * 700)));
    let held: BundleSync = takeBundle(await buildCompactBundle(deps, terminal), undefined, terminal.terminalId, now()).sync!;
    let deltasWithChanges = 0;
    for (let round = 0; round < 8; round++) {
      for (let change = 0; change < 4; change++) {
        const pick = holders[Math.floor(random() * holders.length)]!;
        const kind = Math.floor(random() * 5);
        if (kind === 0) holders.push(await holderWithKey(deps, Math.floor(random() * 50_000)));
        else if (kind === 1) await registerDeviceKey(deps.db, pick.accountNo, Buffer.from(generateDeviceKeyPair().publicKey).toString('base64url'), now()); // the old key is revoked
        else if (kind === 2) await topUp(deps, { accountNo: pick.accountNo, amountFen: 1 + Math.floor(random() * 9_000), channel: 'counter', externalRef: `r${round}c${change}` });
        else if (kind === 3) await setAccountStatus(deps, pick.accountNo, 'frozen').catch(() => undefined);
        else await setAccountStatus(deps, pick.accountNo, 'active').catch(() => undefined);
      }
      advance(INTERVAL + 60_000);
      const delta = await buildCompactBundle(deps, terminal, held.version);
      const full = await buildCompactBundle(deps, terminal);
      expect(delta.full).toBe(false);
      expect(delta.version).toBe(full.version);
      if (!delta.full) {
        expect(delta.since).toBe(held.version);
        expect(applyRows(held.rows, delta)).toEqual(rowsOf(full));
        if (delta.upsert.length + delta.remove.length > 0) deltasWithChanges++;
        // Smaller than the whole: only the rows that changed.
        expect(delta.upsert.length).toBeLessThan(rowsOf(full).length);
      }
      expect(delta.digest).toBe(rowsDigest(rowsOf(full)));
      expect(delta.blacklist).toEqual(full.blacklist);
      // The terminal's view: the same bundle whichever way it came.
      const fromDelta = takeBundle(delta, held, terminal.terminalId, now());
      const fromFull = takeBundle(full, undefined, terminal.terminalId, now());
      expect(fromDelta.bundle).toEqual(fromFull.bundle);
      held = fromDelta.sync!;
    }
    expect(deltasWithChanges).toBeGreaterThan(4);
  });

  it('decoded, the full compact bundle is the original bundle: the same keys, blocked marks, caps and blacklist', async () => {
    const { deps, advance, now } = clocked(Date.now() + 2_000 * HOUR);
    const terminal = await createTestTerminal(deps);
    const [, lost] = await Promise.all([holderWithKey(deps, 3_000), holderWithKey(deps, 9_000)]);
    await setAccountStatus(deps, lost.accountNo, 'lost');
    advance(INTERVAL + 1);
    const original = await buildOfflineBundle(deps, terminal);
    const { bundle } = takeBundle(await buildCompactBundle(deps, terminal), undefined, terminal.terminalId, now());
    const byId = (keys: { keyId: number }[]) => [...keys].sort((a, b) => a.keyId - b.keyId);
    expect(byId(bundle.keys)).toEqual(byId(original.keys));
    expect(bundle.keys).toContainEqual(expect.objectContaining({ keyId: lost.keyId, offlineCapFen: 0, blocked: 'CARD_LOST' }));
    expect(bundle.blacklist).toEqual({ ...original.blacklist, chipReasons: original.blacklist.chipReasons });
  });

  it('an account blocked after the snapshot was built is in the very next delta: blacklisted, its key blocked with no cap', async () => {
    const { deps, advance, now } = clocked(Date.now() + 3_000 * HOUR);
    const terminal = await createTestTerminal(deps);
    const holder = await holderWithKey(deps, 4_000);
    const first = await buildCompactBundle(deps, terminal);
    const held = takeBundle(first, undefined, terminal.terminalId, now());
    expect(held.bundle.keys).toContainEqual(expect.objectContaining({ keyId: holder.keyId, offlineCapFen: 4_000 }));
    advance(60_000); // within the snapshot's hour: the same version
    await setAccountStatus(deps, holder.accountNo, 'lost');
    const next = await buildCompactBundle(deps, terminal, first.version);
    expect(next).toMatchObject({ full: false, version: first.version, upsert: [], remove: [] });
    expect(next.blacklist.accounts[holder.accountNo]).toBe('CARD_LOST');
    const { bundle } = takeBundle(next, held.sync, terminal.terminalId, now());
    expect(bundle.blacklist.accountNos).toContain(holder.accountNo);
    expect(bundle.keys).toContainEqual(expect.objectContaining({ keyId: holder.keyId, offlineCapFen: 0, blocked: 'CARD_LOST' }));
  });

  it('a phone bound after the snapshot is in the next bundle at once (live, not waiting for the hour), and the key it replaced is gone', async () => {
    const { deps, advance, now } = clocked(Date.now() + 3_500 * HOUR);
    const terminal = await createTestTerminal(deps);
    const holder = await holderWithKey(deps, 2_500);
    const first = await buildCompactBundle(deps, terminal);
    const held = takeBundle(first, undefined, terminal.terminalId, now());
    advance(60_000);
    const fresh = await holderWithKey(deps, 1_200);
    const replaced = await registerDeviceKey(deps.db, holder.accountNo, Buffer.from(generateDeviceKeyPair().publicKey).toString('base64url'), now());
    const next = await buildCompactBundle(deps, terminal, first.version);
    expect(next).toMatchObject({ full: false, version: first.version, upsert: [], remove: [] });
    expect(next.recent.map((row) => row[0]).sort()).toEqual([fresh.keyId, replaced.keyId].sort());
    const { bundle } = takeBundle(next, held.sync, terminal.terminalId, now());
    expect(bundle.keys).toContainEqual(expect.objectContaining({ keyId: fresh.keyId, accountNo: fresh.accountNo, offlineCapFen: 1_200 }));
    expect(bundle.keys).toContainEqual(expect.objectContaining({ keyId: replaced.keyId, accountNo: holder.accountNo, offlineCapFen: 2_500 }));
    expect(bundle.keys.map((key) => key.keyId)).not.toContain(holder.keyId);
  });

  it('a terminal without a version, or with one unknown or past the retention, gets the full bundle', async () => {
    const { deps, advance } = clocked(Date.now() + 4_000 * HOUR);
    const terminal = await createTestTerminal(deps);
    await holderWithKey(deps, 1_000);
    const first = await buildCompactBundle(deps, terminal);
    expect(first.full).toBe(true);
    expect((await buildCompactBundle(deps, terminal, '1000000000000')).full).toBe(true);
    advance(BUNDLE_SNAPSHOT_KEEP_HOURS * HOUR + 1);
    const late = await buildCompactBundle(deps, terminal, first.version);
    expect(late.full).toBe(true);
    expect(late.version).not.toBe(first.version);
  });

  it('a delta that does not fit what the terminal holds is refused (the client then asks for the whole bundle)', async () => {
    const { deps, advance, now } = clocked(Date.now() + 5_000 * HOUR);
    const terminal: Terminal = await createTestTerminal(deps);
    await holderWithKey(deps, 1_000);
    const first = await buildCompactBundle(deps, terminal);
    const held = takeBundle(first, undefined, terminal.terminalId, now()).sync!;
    await holderWithKey(deps, 2_000);
    advance(INTERVAL + 1);
    const delta = await buildCompactBundle(deps, terminal, first.version);
    expect(() => takeBundle(delta, { version: '1000000000000', rows: held.rows }, terminal.terminalId, now())).toThrow(DeltaRefused);
    expect(() => takeBundle(delta, { version: held.version, rows: held.rows.slice(1) }, terminal.terminalId, now())).toThrow(DeltaRefused);
    expect(() => takeBundle(delta, held, terminal.terminalId, now())).not.toThrow();
  });

  it('bad version input is a clear error (VALIDATION_FAILED naming since), and a good one over HTTP answers format 2', async () => {
    const terminal = await createTestTerminal(platform.deps);
    for (const query of ['format=2&since=yesterday', 'format=2&since=12345', 'since=1764614400000', 'format=3']) {
      const res = await getBundle(terminal, query);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.issues)).toMatch(/since|format/);
    }
    const ok = await getBundle(terminal, 'format=2');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ format: 2, full: true, terminalId: terminal.terminalId, version: expect.stringMatching(/^\d{13}$/) });
    const again = await getBundle(terminal, `format=2&since=${ok.body.version}`);
    expect(again.body).toMatchObject({ full: false, since: ok.body.version, upsert: [], remove: [] });
  });

  it('the terminal client asks with the version it holds, keeps the rows, and asks again whole when a delta does not fit them', async () => {
    const terminal = await createTestTerminal(platform.deps);
    const holder = await holderWithKey(platform.deps, 3_300);
    const store = memoryStore();
    const asked: string[] = [];
    const client = await connectTerminal(
      { baseUrl: platform.url, store, fetch: (input, init) => (asked.push(new URL(String(input)).search), fetch(input, init)), backoffMs: 20 },
      { terminalId: terminal.terminalId, merchantId: terminal.merchantId, place: terminal.place, kind: 'pos', secret: terminal.secret!, activatedAt: terminal.createdAt },
    );
    await client.refreshBundle();
    const first = (await store.get<BundleSync>('bundle/sync'))!;
    expect(first.rows).toContainEqual([holder.keyId, expect.any(String), holder.accountNo, 3_300]);
    await client.refreshBundle();
    expect(asked).toEqual(['?format=2', `?format=2&since=${first.version}`]);
    // Rows lost from the store: the delta's digest does not match, so the client asks for the whole bundle.
    const synced = (await store.get<BundleSync>('bundle/sync'))!;
    await store.putAll([{ key: 'bundle/sync', value: { ...synced, rows: synced.rows.filter((row) => row[0] !== holder.keyId) } }]);
    expect(await client.refreshBundle()).toMatchObject({ keys: expect.any(Number) });
    expect(asked.slice(2)).toEqual([`?format=2&since=${synced.version}`, '?format=2']);
    expect((await store.get<BundleSync>('bundle/sync'))!.rows).toContainEqual([holder.keyId, expect.any(String), holder.accountNo, 3_300]);
  });

  it('diffRows then applyRows gives the new rows exactly, over 200 random pairs of row sets (pure)', () => {
    const random = seededRandom(2026);
    const row = (keyId: number): KeyRow => [keyId, `k${Math.floor(random() * 3)}`, String(10_000 + Math.floor(random() * 5)), Math.floor(random() * 3) * 1_000];
    for (let round = 0; round < 200; round++) {
      const ids = (n: number) => [...new Set(Array.from({ length: n }, () => 1 + Math.floor(random() * 40)))];
      const from = sortRows(ids(Math.floor(random() * 30)).map(row));
      const to = sortRows(ids(Math.floor(random() * 30)).map(row));
      const delta = diffRows(from, to);
      expect(applyRows(from, delta)).toEqual(to);
      expect(rowsDigest(applyRows(from, delta))).toBe(rowsDigest(to));
      // Only what changed: an unchanged row is never sent.
      for (const sent of delta.upsert) expect(from).not.toContainEqual(sent);
    }
  });
});
