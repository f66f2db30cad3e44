/**
 * The reference terminal client (issue 14, item 1): what a POS, a gate, a water terminal or a kiosk
 * runs to talk to the platform. Signs every request (docs/terminal-auth.md), resends a lost answer's
 * request and then asks what became of the sale ("Retries"), and works offline from the bundle with
 * a queue that survives a reload (docs/terminal-client.md). No browser or Node API here: the store
 * is the seam (store.ts, indexeddb-store.ts), fetch is injected or the global one.
 */
import { monotonicFactory } from 'ulid';
import type { z } from 'zod';
import { activateTerminalRoute } from '../api/merchants';
import { getHealth } from '../api/operations';
import { getPosPaymentCode, posPaymentCode } from '../api/payment-codes';
import { offlineBundle, offlineRecordBody, offlineUpload, posCharge, posTransaction, qrPayment } from '../api/pos';
import type { RouteContract } from '../api/contract';
import { campusDay } from '../campus-day';
import { ERRORS, yuanParam, type ErrorCode } from '../errors';
import { QR_TOKEN_PREFIX, timeStepAt } from '../qr-token';
import { signTerminalRequest } from '../terminal-signature';
import type { TERMINAL_KINDS } from '../vocabulary';
import { bundleExpired, bundleInfo, cardBlacklistReason, checkCardOffline, checkCodeOffline, DeltaRefused, takeBundle, type BundleInfo, type BundleSync, type CardOfflineCheck, type OfflineBundle } from './bundle';
import { TerminalRefusal, TerminalUnreachable } from './refusal';
import type { TerminalStore } from './store';

export { TerminalRefusal, TerminalUnreachable } from './refusal';

export interface TerminalIdentity {
  terminalId: string;
  merchantId: string;
  place: string;
  kind: (typeof TERMINAL_KINDS)[number];
  secret: string;
  activatedAt: string;
}

export interface TerminalClientOptions {
  /** '' in the browser = same origin. */
  baseUrl: string;
  store: TerminalStore;
  /** Injected: tests drop answers on purpose. */
  fetch?: typeof fetch;
  now?: () => Date;
  /** Per attempt, default 4000. */
  timeoutMs?: number;
  /** Resends of the request before asking the transaction query, default 2. */
  retries?: number;
  /** Wait before the n-th resend: n × backoffMs (default 250). */
  backoffMs?: number;
  /** Poll a waiting payment-code sale this often instead of the server's retryAfterSeconds (tests). */
  paymentCodePollMs?: number;
  /** Makes each request's nonce (default a ULID: 26 characters of [0-9A-Z]); tests pin it to reproduce the documented example. */
  nonce?: () => string;
}

export type SaleRequest = { posTxnId?: string; amountFen: number; consumptionPassword?: string } & (
  | { method: 'code'; code: string }
  | { method: 'card'; chipUid: string; chipBalanceFen?: number; cardTxnCounter?: number }
);

export type SaleChannel = 'campus' | 'wechat' | 'alipay' | 'card';

export type SaleOutcome =
  | {
      status: 'posted';
      posTxnId: string;
      receiptNo: string;
      amountFen: number;
      balanceFen?: number;
      holderDisplayName?: string;
      chipBalanceToWriteFen?: number;
      /** WeChat transaction_id / Alipay trade_no of a payment-code sale. */
      platformTxnId?: string;
      channel: SaleChannel;
      /** The answer came from the sale's record (a resend or the query), not from its first request. */
      replayed: boolean;
    }
  /** e.g. PASSWORD_REQUIRED → the app shows P---- and calls sell() again with the same posTxnId and consumptionPassword; POS_TXN_CLOSED → nothing was taken, take the sale again. */
  | { status: 'refused'; posTxnId: string; refusal: TerminalRefusal }
  /** Nothing known: kept in the store as an unresolved sale; resolveUnresolved() settles it later through the transaction query. */
  | { status: 'unreachable'; posTxnId: string };

export type OfflineRecordState = 'queued' | 'applied' | 'held' | 'rejected' | 'reflected';

export interface OfflineRecordView {
  recordId: string;
  occurredAt: string;
  amountFen: number;
  method: 'qr' | 'card';
  state: OfflineRecordState;
  accountNo?: string;
  receiptNo?: string;
  reason?: string;
}

/** A sale whose outcome is not known yet (sent, answer lost, query unreachable), as kept in the store. */
export interface UnresolvedSale {
  posTxnId: string;
  channel: 'campus' | 'card' | 'code';
  amountFen: number;
  startedAt: string;
}

export type OfflineSale = { amountFen: number } & ({ method: 'qr'; token: string } | { method: 'card'; chipUid: string; chipBalanceAfterFen: number });
export type OfflineTaken = { status: 'queued'; recordId: string; accountNo?: string; remainingCapFen?: number } | { status: 'refused'; refusal: TerminalRefusal };

type OfflineRecord = z.input<typeof offlineRecordBody>;
interface StoredRecord {
  record: OfflineRecord;
  state: OfflineRecordState;
  /** When the upload told its outcome (kept for STORE_RETENTION_DAYS from then). */
  settledAt?: string;
  accountNo?: string;
  receiptNo?: string;
  reason?: string;
}

/** The store's keys: one place, so the layout is documented (docs/terminal-client.md). */
const KEYS = {
  identity: 'identity',
  bundle: 'bundle',
  /** Format 2: the version and key rows the bundle was made from, a delta's base. */
  bundleSync: 'bundle/sync',
  sale: (posTxnId: string) => `sale/${posTxnId}`,
  salePrefix: 'sale/',
  record: (recordId: string) => `offline/record/${recordId}`,
  recordPrefix: 'offline/record/',
  usedToken: (tokenId: string) => `offline/used/${tokenId}`,
  usedTokenPrefix: 'offline/used/',
  spent: (day: string, accountNo: string) => `offline/spent/${day}/${accountNo}`,
  spentPrefix: 'offline/spent/',
};

/**
 * How long the store keeps what is settled: an offline record from when its outcome came back, and
 * the offline spending of a past campus day. Queued records and unresolved sales are never dropped
 * (their outcome is not known); a resolved sale is dropped as soon as it is resolved.
 */
export const STORE_RETENTION_DAYS = 7;

export interface PruneReport {
  /** Offline records with a known outcome dropped. */
  records: number;
  /** Per-account offline spending of past days dropped. */
  spentDays: number;
  /** Used-code memories of steps the window refuses anyway dropped. */
  usedCodes: number;
}

const UPLOAD_BATCH = 200;
const PING_TIMEOUT_MS = 1500;
/** How long a waiting payment-code sale is polled: the server cancels it after about 45 s. */
const PAYMENT_CODE_WAIT_MS = 75_000;

/**
 * The two routes that spend the request's nonce in the payment's own transaction and store a refusal
 * with it: an identical resend (same nonce, same signature) is answered as the original was. Every
 * other terminal route spends the nonce before it runs, so a resend there is signed again with a new
 * nonce (those routes are idempotent on their own ids: posTxnId, recordId, refundId, ...).
 */
export const REPLAYABLE_PATHS: ReadonlySet<string> = new Set([posCharge.path, qrPayment.path]);

type Input<R extends RouteContract> = {
  body?: z.input<NonNullable<R['body']>>;
  params?: z.input<NonNullable<R['params']>>;
  query?: z.input<NonNullable<R['query']>>;
};

interface Transport {
  baseUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/** A request ready to go: the exact bytes and headers, so a resend is the same request. */
interface Prepared {
  method: string;
  path: string;
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
}

type Answer = { status: number; json: unknown };

/**
 * ULIDs from crypto.getRandomValues (a uniform [0, 1) from 32 random bits): it works on a terminal
 * served over plain http, where the secure-context APIs (randomUUID, subtle) are missing. Monotonic,
 * so ids made in the same millisecond still sort in the order they were made.
 */
const newId = monotonicFactory(() => globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 0x1_0000_0000);

const ID_PREFIX = /^[A-Za-z0-9_-]{0,16}$/;

/**
 * The terminal's one id maker for its own request ids (posTxnId, refundId, tapId, transferId,
 * replacementId, recordId …): the prefix, then a ULID (time first, so they sort by when they were
 * made, then 80 random bits). At most 42 characters of [A-Za-z0-9_-], as the contracts' ids take.
 */
export function newRequestId(prefix = ''): string {
  if (!ID_PREFIX.test(prefix)) throw new Error(`an id prefix is at most 16 of [A-Za-z0-9_-], not ${JSON.stringify(prefix)}`);
  return prefix + newId();
}

export interface SellOptions {
  /**
   * A payment code waits for the payer (a password on the phone): called once with the sale's id
   * when the first 'waiting' answer comes, while sell() keeps polling to the end.
   */
  onWaiting?(posTxnId: string): void;
}

/** Exchanges the one-time code (POST /v1/pos/activation) and saves the identity in the store. */
export async function activateTerminal(
  options: Pick<TerminalClientOptions, 'baseUrl' | 'store' | 'fetch'> & Partial<TerminalClientOptions>,
  terminalId: string,
  activationCode: string,
): Promise<TerminalIdentity> {
  const transport = transportOf(options);
  const body = validated(activateTerminalRoute.body, { terminalId, activationCode });
  // Not signed (no secret yet), and never resent: a lost answer means a new code from the card centre.
  const prepared: Prepared = { method: 'POST', path: activateTerminalRoute.path, url: transport.baseUrl + activateTerminalRoute.path, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const answer = await send(transport, prepared);
  // A 5xx used nothing (the code is spent only with the secret): the installer may simply try again.
  if (!answer || answer.status >= 500) throw new TerminalUnreachable(`activation: ${answer ? answer.status : 'no answer'} (try again; if the answer was lost after the exchange, ask the card centre for a new code)`);
  const activated = answerOf(activateTerminalRoute, answer);
  const identity: TerminalIdentity = { ...activated };
  await options.store.putAll([{ key: KEYS.identity, value: identity }]);
  return identity;
}

/** The saved identity, or undefined before activation. */
export async function loadTerminal(options: TerminalClientOptions): Promise<TerminalClient | undefined> {
  const identity = await options.store.get<TerminalIdentity>(KEYS.identity);
  return identity ? new TerminalClient(identity, options) : undefined;
}

/** Saves an identity known otherwise (the demo terminals' printed secrets, tests, the benchmark) and opens a client on it. */
export async function connectTerminal(options: TerminalClientOptions, identity: TerminalIdentity): Promise<TerminalClient> {
  await options.store.putAll([{ key: KEYS.identity, value: identity }]);
  return new TerminalClient(identity, options);
}

export class TerminalClient {
  /** The secret is never exposed to the UI. */
  readonly identity: Omit<TerminalIdentity, 'secret'>;
  readonly #secret: string;
  readonly #store: TerminalStore;
  readonly #transport: Transport;
  readonly #now: () => Date;
  readonly #pollMs: number | undefined;
  readonly #nonce: () => string;
  /** Sales being sent by this client right now: resolveUnresolved leaves them to their own sell(). */
  readonly #inFlight = new Set<string>();
  /** One offline take (or upload) at a time, so two sales never read the same cap or code before either is written. */
  #offlineLock: Promise<unknown> = Promise.resolve();

  constructor(identity: TerminalIdentity, options: TerminalClientOptions) {
    const { secret, ...visible } = identity;
    this.identity = Object.freeze(visible);
    this.#secret = secret;
    this.#store = options.store;
    this.#transport = transportOf(options);
    this.#now = options.now ?? (() => new Date());
    this.#pollMs = options.paymentCodePollMs;
    this.#nonce = options.nonce ?? (() => newId());
  }

  /**
   * Any terminal route of shared/api/routes.ts, typed from its contract: body validated with the
   * contract's zod schema first (bad input never leaves the terminal), signed, answer parsed.
   * Throws TerminalRefusal / TerminalUnreachable.
   */
  async call<R extends RouteContract>(route: R, input: Input<R> = {}): Promise<z.output<R['response']>> {
    const answer = await this.#exchange(route, input);
    return answerOf(route, answer);
  }

  /**
   * A sale online: a campus QR code (QR_TOKEN_PREFIX) → /v1/pos/qr-payments; any other scanned code →
   * /v1/pos/payment-codes ('waiting' is polled to the end); a card → /v1/pos/charges. The sale is
   * written to the store before it is sent, so a crash leaves it unresolved, never forgotten.
   */
  async sell(sale: SaleRequest, options: SellOptions = {}): Promise<SaleOutcome> {
    const posTxnId = sale.posTxnId ?? newId();
    const channel: UnresolvedSale['channel'] = sale.method === 'card' ? 'card' : sale.code.startsWith(QR_TOKEN_PREFIX) ? 'campus' : 'code';
    let request: () => Promise<SaleOutcome>;
    try {
      request = this.#saleRequest(posTxnId, sale, channel, options);
    } catch (error) {
      if (error instanceof TerminalRefusal) return { status: 'refused', posTxnId, refusal: error };
      throw error;
    }
    this.#inFlight.add(posTxnId);
    try {
      const unresolved: UnresolvedSale = { posTxnId, channel, amountFen: sale.amountFen, startedAt: this.#now().toISOString() };
      await this.#store.putAll([{ key: KEYS.sale(posTxnId), value: unresolved }]);
      let outcome: SaleOutcome;
      try {
        outcome = await request();
      } catch (error) {
        if (error instanceof TerminalRefusal) outcome = { status: 'refused', posTxnId, refusal: error };
        else if (error instanceof TerminalUnreachable) outcome = await this.#settle(unresolved, options);
        else throw error;
      }
      if (outcome.status !== 'unreachable') await this.#store.putAll([], [KEYS.sale(posTxnId)]);
      return outcome;
    } finally {
      this.#inFlight.delete(posTxnId);
    }
  }

  /** Sales sent whose outcome is unknown (the app shows them until resolveUnresolved() settles them). */
  async unresolvedSales(): Promise<UnresolvedSale[]> {
    return (await this.#store.list<UnresolvedSale>(KEYS.salePrefix)).map(({ value }) => value).filter((sale) => !this.#inFlight.has(sale.posTxnId));
  }

  /** Asks what became of each unresolved sale; a sale still unknown stays unresolved ('unreachable'). */
  async resolveUnresolved(): Promise<SaleOutcome[]> {
    const outcomes: SaleOutcome[] = [];
    for (const sale of await this.unresolvedSales()) {
      this.#inFlight.add(sale.posTxnId);
      try {
        const outcome = await this.#settle(sale);
        if (outcome.status !== 'unreachable') await this.#store.putAll([], [KEYS.sale(sale.posTxnId)]);
        outcomes.push(outcome);
      } finally {
        this.#inFlight.delete(sale.posTxnId);
      }
    }
    return outcomes;
  }

  /**
   * GET /v1/pos/offline-bundle?format=2, since the version held (a delta), checked (schema, digest,
   * terminalId, expiry in the future) and saved; a bad bundle is refused and the old one kept. A delta
   * that does not fit what is held is asked for again whole, once.
   */
  async refreshBundle(): Promise<BundleInfo> {
    const held = await this.#store.get<BundleSync>(KEYS.bundleSync);
    const fetchBundle = async (since: string | undefined) => {
      const answer = await this.#exchange(offlineBundle, { query: { format: '2', ...(since ? { since } : {}) } });
      if (answer.status >= 400) throw refusalOf(answer);
      return takeBundle(answer.json, held, this.identity.terminalId, this.#now());
    };
    let taken: Awaited<ReturnType<typeof fetchBundle>>;
    try {
      taken = await fetchBundle(held?.version);
    } catch (error) {
      if (!(error instanceof DeltaRefused) || !held) throw error;
      taken = await fetchBundle(undefined);
    }
    const now = this.#now();
    const { bundle, sync } = taken;
    const stale = await this.#staleUsedCodes(bundle, now);
    await this.#store.putAll([{ key: KEYS.bundle, value: bundle }, ...(sync ? [{ key: KEYS.bundleSync, value: sync }] : [])], [...stale, ...(sync ? [] : [KEYS.bundleSync])]);
    await this.prune();
    return bundleInfo(bundle, now);
  }

  /**
   * Drops what the store no longer needs (STORE_RETENTION_DAYS): offline records whose outcome came
   * back that long ago, the offline spending of campus days that long past, and used-code memories
   * the window makes useless. Queued records and unresolved sales are never dropped. Runs after each
   * upload and bundle refresh, so queuedCount() and offlineRecords() stay quick on a terminal that
   * runs for years; one putAll, under the offline lock.
   */
  prune(): Promise<PruneReport> {
    return this.#exclusive(() => this.#prune());
  }

  async #prune(): Promise<PruneReport> {
    const now = this.#now();
    const cutoff = new Date(now.getTime() - STORE_RETENTION_DAYS * 86_400_000);
    const records = (await this.#store.list<StoredRecord>(KEYS.recordPrefix))
      .filter(({ value }) => value.state !== 'queued' && Date.parse(value.settledAt ?? value.record.occurredAt) < cutoff.getTime())
      .map(({ key }) => key);
    const oldestDay = campusDay(cutoff);
    const spent = (await this.#store.list<number>(KEYS.spentPrefix)).map(({ key }) => key).filter((key) => key.slice(KEYS.spentPrefix.length).split('/')[0]! < oldestDay);
    const bundle = await this.#store.get<OfflineBundle>(KEYS.bundle);
    const used = bundle ? await this.#staleUsedCodes(bundle, now) : [];
    const deletes = [...records, ...spent, ...used];
    if (deletes.length) await this.#store.putAll([], deletes);
    return { records: records.length, spentDays: spent.length, usedCodes: used.length };
  }

  /** Codes of steps the window refuses anyway need no memory of their use any more. */
  async #staleUsedCodes(bundle: OfflineBundle, now: Date): Promise<string[]> {
    const oldest = timeStepAt(now.getTime()) - bundle.windowSteps - 1;
    return (await this.#store.list<{ timeStep: number }>(KEYS.usedTokenPrefix)).filter(({ value }) => value.timeStep < oldest).map(({ key }) => key);
  }

  async bundleInfo(): Promise<BundleInfo | undefined> {
    const bundle = await this.#store.get<OfflineBundle>(KEYS.bundle);
    return bundle && bundleInfo(bundle, this.#now());
  }

  /**
   * Verifies a campus QR code (Ed25519 against the bundle's key, window, purpose pay, not used before
   * offline) or a card (blacklist, chip balance), keeps the per-account offline cap for the campus
   * day, and queues the record: all in one store.putAll, so a crash never leaves a taken payment
   * unqueued (nor a queued one uncounted).
   */
  /**
   * Before a card's chip is debited offline: would takeOffline() take it (bundle there and current,
   * chip not blacklisted, enough on the chip)? Reads only; the app writes the chip after an ok.
   */
  async checkCardOffline(card: CardOfflineCheck): Promise<{ ok: true } | { ok: false; refusal: TerminalRefusal }> {
    return checkCardOffline(await this.#store.get<OfflineBundle>(KEYS.bundle), card, this.#now());
  }

  takeOffline(sale: OfflineSale): Promise<OfflineTaken> {
    return this.#exclusive(() => this.#takeOffline(sale));
  }

  async #takeOffline(sale: OfflineSale): Promise<OfflineTaken> {
    const refused = (code: ErrorCode, params?: Record<string, string | number>): OfflineTaken => ({ status: 'refused', refusal: TerminalRefusal.local(code, params) });
    const now = this.#now();
    const bundle = await this.#store.get<OfflineBundle>(KEYS.bundle);
    if (!bundle) return refused('OFFLINE_BUNDLE_MISSING');
    if (bundleExpired(bundle, now)) return refused('OFFLINE_BUNDLE_EXPIRED');
    const recordId = newId(now.getTime());
    const base = { recordId, occurredAt: now.toISOString(), amountFen: sale.amountFen };
    const record: OfflineRecord =
      sale.method === 'qr' ? { ...base, method: 'qr', token: sale.token } : { ...base, method: 'card', chipUid: sale.chipUid, chipBalanceAfterFen: sale.chipBalanceAfterFen };
    if (sale.method === 'card' && !(Number.isInteger(sale.chipBalanceAfterFen) && sale.chipBalanceAfterFen >= 0)) return refused('OFFLINE_CARD_BALANCE_INVALID');
    // The upload's own contract: a record the server could not take is never queued.
    const valid = offlineRecordBody.safeParse(record);
    if (!valid.success) return { status: 'refused', refusal: TerminalRefusal.local('VALIDATION_FAILED', undefined, valid.error.issues) };

    if (sale.method === 'card') {
      const blacklisted = cardBlacklistReason(bundle, sale.chipUid);
      if (blacklisted) return refused(blacklisted);
      await this.#store.putAll([{ key: KEYS.record(recordId), value: { record, state: 'queued' } satisfies StoredRecord }]);
      return { status: 'queued', recordId };
    }

    const check = checkCodeOffline(bundle, sale.token, 'pay', now);
    if (!check.ok) return refused(check.code);
    if (bundle.blacklist.accountNos.includes(check.accountNo)) return refused('OFFLINE_BLACKLISTED');
    if (await this.#store.get(KEYS.usedToken(check.tokenId))) return refused('TOKEN_REUSED');
    const day = campusDay(now);
    const spentFen = (await this.#store.get<number>(KEYS.spent(day, check.accountNo))) ?? 0;
    const remainingFen = Math.max(0, check.offlineCapFen - spentFen);
    if (sale.amountFen > remainingFen) return refused('OFFLINE_CAP_EXCEEDED', { remaining: yuanParam(remainingFen) });
    await this.#store.putAll([
      { key: KEYS.record(recordId), value: { record, state: 'queued', accountNo: check.accountNo } satisfies StoredRecord },
      { key: KEYS.usedToken(check.tokenId), value: { timeStep: check.timeStep, usedAt: base.occurredAt } },
      { key: KEYS.spent(day, check.accountNo), value: spentFen + sale.amountFen },
    ]);
    return { status: 'queued', recordId, accountNo: check.accountNo, remainingCapFen: remainingFen - sale.amountFen };
  }

  /** Identity offline (gate): the code's signature and window against the bundle, once only, blacklist → allowed or refused with a reason (an error code). */
  checkIdentityOffline(token: string): Promise<{ allowed: boolean; accountNo?: string; reason?: string }> {
    return this.#exclusive(async () => {
      const now = this.#now();
      const bundle = await this.#store.get<OfflineBundle>(KEYS.bundle);
      if (!bundle) return { allowed: false, reason: 'OFFLINE_BUNDLE_MISSING' };
      if (bundleExpired(bundle, now)) return { allowed: false, reason: 'OFFLINE_BUNDLE_EXPIRED' };
      const check = checkCodeOffline(bundle, token, 'identity', now);
      if (!check.ok) return { allowed: false, ...(check.accountNo ? { accountNo: check.accountNo } : {}), reason: check.code };
      if (bundle.blacklist.accountNos.includes(check.accountNo)) return { allowed: false, accountNo: check.accountNo, reason: 'OFFLINE_BLACKLISTED' };
      if (await this.#store.get(KEYS.usedToken(check.tokenId))) return { allowed: false, accountNo: check.accountNo, reason: 'TOKEN_REUSED' };
      await this.#store.putAll([{ key: KEYS.usedToken(check.tokenId), value: { timeStep: check.timeStep, usedAt: now.toISOString() } }]);
      return { allowed: true, accountNo: check.accountNo };
    });
  }

  async queuedCount(): Promise<number> {
    return (await this.#store.list<StoredRecord>(KEYS.recordPrefix)).filter(({ value }) => value.state === 'queued').length;
  }

  /**
   * Uploads queued records oldest first (≤ 200 per request, POST /v1/pos/offline-uploads) and keeps
   * each record's outcome; a record with a known outcome is never sent again. A lost answer just means
   * the same records go again next time (the server is idempotent per recordId). Returns the records
   * sent by this call with their outcomes; throws TerminalUnreachable/TerminalRefusal after keeping
   * the outcomes of the batches that were answered.
   */
  uploadQueued(): Promise<OfflineRecordView[]> {
    return this.#exclusive(async () => {
      const queued = (await this.#store.list<StoredRecord>(KEYS.recordPrefix)).filter(({ value }) => value.state === 'queued').map(({ value }) => value);
      const sent: OfflineRecordView[] = [];
      for (let start = 0; start < queued.length; start += UPLOAD_BATCH) {
        const batch = queued.slice(start, start + UPLOAD_BATCH);
        const { results } = await this.call(offlineUpload, { body: { records: batch.map((stored) => stored.record) } });
        const outcomes = new Map(results.map((result) => [result.recordId, result]));
        const updated = batch.map((stored): StoredRecord => {
          const result = outcomes.get(stored.record.recordId);
          if (!result) return stored;
          return {
            ...stored,
            state: result.outcome,
            settledAt: this.#now().toISOString(),
            ...(result.receiptNo ? { receiptNo: result.receiptNo } : {}),
            ...(result.reason ? { reason: result.reason } : {}),
          };
        });
        await this.#store.putAll(updated.map((stored) => ({ key: KEYS.record(stored.record.recordId), value: stored })));
        sent.push(...updated.map(viewOf));
      }
      await this.#prune();
      return sent;
    });
  }

  /** Every offline record kept, oldest first, with what became of it. */
  async offlineRecords(): Promise<OfflineRecordView[]> {
    return (await this.#store.list<StoredRecord>(KEYS.recordPrefix)).map(({ value }) => viewOf(value));
  }

  /** Is the API reachable now (GET /health, short timeout)? Only this decides that the app may go offline. */
  async ping(): Promise<boolean> {
    const prepared: Prepared = { method: 'GET', path: getHealth.path, url: this.#transport.baseUrl + getHealth.path, body: undefined, headers: {} };
    const answer = await send({ ...this.#transport, timeoutMs: Math.min(PING_TIMEOUT_MS, this.#transport.timeoutMs) }, prepared);
    return answer?.status === 200;
  }

  /** Builds the sale's request (validated now, so bad input is refused before anything is stored) and what to make of its answer. */
  #saleRequest(posTxnId: string, sale: SaleRequest, channel: UnresolvedSale['channel'], options: SellOptions): () => Promise<SaleOutcome> {
    const password = sale.consumptionPassword !== undefined ? { consumptionPassword: sale.consumptionPassword } : {};
    if (sale.method === 'card') {
      const body = validated(posCharge.body, {
        posTxnId,
        chipUid: sale.chipUid,
        amountFen: sale.amountFen,
        ...(sale.chipBalanceFen !== undefined ? { chipBalanceFen: sale.chipBalanceFen } : {}),
        ...(sale.cardTxnCounter !== undefined ? { cardTxnCounter: sale.cardTxnCounter } : {}),
        ...password,
      });
      return async () => {
        const paid = await this.call(posCharge, { body });
        return {
          status: 'posted',
          posTxnId,
          channel: 'card',
          receiptNo: paid.receiptNo,
          amountFen: paid.amountFen,
          balanceFen: paid.balanceFen,
          holderDisplayName: paid.holderDisplayName,
          ...(paid.chipBalanceToWriteFen !== undefined ? { chipBalanceToWriteFen: paid.chipBalanceToWriteFen } : {}),
          replayed: paid.replayed,
        };
      };
    }
    if (channel === 'campus') {
      const body = validated(qrPayment.body, { posTxnId, token: sale.code, amountFen: sale.amountFen, ...password });
      return async () => {
        const paid = await this.call(qrPayment, { body });
        return { status: 'posted', posTxnId, channel: 'campus', receiptNo: paid.receiptNo, amountFen: paid.amountFen, balanceFen: paid.balanceFen, holderDisplayName: paid.holderDisplayName, replayed: paid.replayed };
      };
    }
    const body = validated(posPaymentCode.body, { posTxnId, code: sale.code, amountFen: sale.amountFen });
    return async () => this.#paymentCodeOutcome(posTxnId, await this.call(posPaymentCode, { body }), false, options);
  }

  /** What the transaction query says of a sale whose answer never came; unreachable if it cannot be asked either. */
  async #settle(sale: UnresolvedSale, options: SellOptions = {}): Promise<SaleOutcome> {
    const { posTxnId } = sale;
    try {
      if (sale.channel === 'code') return await this.#paymentCodeOutcome(posTxnId, await this.call(getPosPaymentCode, { params: { posTxnId } }), true, options);
      const found = await this.call(posTransaction, { params: { posTxnId } });
      if (found.status === 'not_found') {
        // The query closed the id: nothing was taken and nothing ever will be under it.
        return { status: 'refused', posTxnId, refusal: TerminalRefusal.local('POS_TXN_CLOSED') };
      }
      return {
        status: 'posted',
        posTxnId,
        channel: found.method === 'card' ? 'card' : 'campus',
        receiptNo: found.receiptNo,
        amountFen: found.amountFen,
        balanceFen: found.balanceFen,
        holderDisplayName: found.holderDisplayName,
        replayed: true,
      };
    } catch (error) {
      // A server from before the payment-code query closed ids (it answered 404 and closed nothing):
      // nothing was taken so far, as then.
      if (error instanceof TerminalRefusal && error.code === 'PAYMENT_CODE_SALE_NOT_FOUND') return { status: 'refused', posTxnId, refusal: error };
      // Any other refusal of the query (a clock or signature problem) tells nothing of the sale: it stays unresolved.
      if (error instanceof TerminalRefusal || error instanceof TerminalUnreachable) return { status: 'unreachable', posTxnId };
      throw error;
    }
  }

  /** A payment-code answer to its outcome; 'waiting' is polled until paid or refused (the server cancels after about 45 s). */
  async #paymentCodeOutcome(posTxnId: string, first: z.output<(typeof getPosPaymentCode)['response']>, fromQuery: boolean, options: SellOptions = {}): Promise<SaleOutcome> {
    let answer = first;
    const deadline = Date.now() + PAYMENT_CODE_WAIT_MS;
    if (answer.status === 'waiting') options.onWaiting?.(posTxnId);
    while (answer.status === 'waiting') {
      if (Date.now() > deadline) throw new TerminalUnreachable(`payment code ${posTxnId} still waiting`);
      await sleep(this.#pollMs ?? answer.retryAfterSeconds * 1000);
      answer = await this.call(getPosPaymentCode, { params: { posTxnId } });
    }
    // The query found no sale and closed the id: the POST can never charge under it, nothing was taken.
    if (answer.status === 'not_found') return { status: 'refused', posTxnId, refusal: TerminalRefusal.local('POS_TXN_CLOSED') };
    if (answer.status === 'refused') {
      // Answered 200 with the platform's refusal inside: the status is the one the error table gives the code.
      const refusal = new TerminalRefusal(answer.refusal.code, ERRORS[answer.refusal.code].status, answer.refusal.message, { detail: answer });
      return { status: 'refused', posTxnId, refusal };
    }
    return {
      status: 'posted',
      posTxnId,
      channel: answer.channel,
      receiptNo: answer.receiptNo,
      amountFen: answer.amountFen,
      platformTxnId: answer.platformTxnId,
      replayed: fromQuery || answer.replayed,
    };
  }

  /**
   * Sends a signed request, resending it on a timeout, a network failure or a 5xx up to `retries`
   * times; answers the first 2xx/4xx. On the payment routes the resend is the identical request (same
   * nonce and signature: the server answers a replay as the original); elsewhere it is signed again.
   */
  async #exchange<R extends RouteContract>(route: R, input: Input<R>): Promise<Answer> {
    if (route.auth !== 'terminal') throw new Error(`${route.operationId} is not a terminal route`);
    const body = route.body ? JSON.stringify(validated(route.body, input.body)) : undefined;
    const path = pathOf(route, input);
    const query = route.query ? new URLSearchParams(validated(route.query, input.query ?? {}) as Record<string, string>).toString() : '';
    const sign = (): Prepared => ({
      method: route.method,
      path,
      url: this.#transport.baseUrl + path + (query ? `?${query}` : ''),
      body,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...signTerminalRequest({ terminalId: this.identity.terminalId, secret: this.#secret }, { method: route.method, path, body: body ?? '', now: this.#now(), nonce: this.#nonce() }),
      },
    });
    const identical = REPLAYABLE_PATHS.has(route.path);
    let prepared = sign();
    let last = 'no answer';
    for (let attempt = 0; attempt <= this.#transport.retries; attempt++) {
      if (attempt > 0) {
        await sleep(attempt * this.#transport.backoffMs);
        if (!identical) prepared = sign();
      }
      const answer = await send(this.#transport, prepared);
      if (answer && answer.status < 500) return answer;
      last = answer ? `${answer.status} ${codeOf(answer.json) ?? ''}`.trim() : 'no answer';
    }
    throw new TerminalUnreachable(`${route.method} ${path}: ${last} after ${this.#transport.retries + 1} attempts`);
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#offlineLock.then(work, work);
    this.#offlineLock = run.catch(() => undefined);
    return run;
  }
}

function transportOf(options: Partial<TerminalClientOptions>): Transport {
  const fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    baseUrl: (options.baseUrl ?? '').replace(/\/$/, ''),
    fetch: fetcher,
    timeoutMs: options.timeoutMs ?? 4000,
    retries: options.retries ?? 2,
    backoffMs: options.backoffMs ?? 250,
  };
}

/** One attempt: the answer, or undefined for a timeout or a network failure. */
async function send(transport: Transport, prepared: Prepared): Promise<Answer | undefined> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A fetch that ignores the signal still loses the race, so an attempt never outlives its timeout.
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(undefined);
    }, transport.timeoutMs);
  });
  const attempt = (async (): Promise<Answer | undefined> => {
    try {
      const response = await transport.fetch(prepared.url, {
        method: prepared.method,
        headers: prepared.headers,
        ...(prepared.body !== undefined ? { body: prepared.body } : {}),
        signal: abort.signal,
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // A proxy's HTML error page: the status tells enough.
        json = undefined;
      }
      return { status: response.status, json };
    } catch {
      return undefined;
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A 2xx answer parsed with the contract; a 4xx as the refusal it is. */
function answerOf<R extends RouteContract>(route: R, answer: Answer): z.output<R['response']> {
  if (answer.status >= 400) throw refusalOf(answer);
  const parsed = route.response.safeParse(answer.json);
  // The server answered, but not as its contract says: nothing the terminal can act on.
  if (!parsed.success) throw new TerminalUnreachable(`${route.operationId}: the answer does not match the contract`);
  return parsed.data as z.output<R['response']>;
}

function refusalOf(answer: Answer): TerminalRefusal {
  const body = (answer.json ?? {}) as { code?: unknown; message?: { zh?: unknown; en?: unknown }; params?: Record<string, string | number> };
  const code = typeof body.code === 'string' ? body.code : `HTTP_${answer.status}`;
  const zh = typeof body.message?.zh === 'string' ? body.message.zh : `请求被拒绝（${answer.status}）`;
  const en = typeof body.message?.en === 'string' ? body.message.en : `Refused (${answer.status})`;
  return new TerminalRefusal(code, answer.status, { zh, en }, { ...(body.params ? { params: body.params } : {}), detail: answer.json });
}

function codeOf(json: unknown): string | undefined {
  const code = (json as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Bad input never leaves the terminal: the contract's own schema, refused VALIDATION_FAILED with its issues. */
function validated<T>(schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), problem: issue.message }));
    throw TerminalRefusal.local('VALIDATION_FAILED', undefined, issues);
  }
  // The input itself is what is sent (a code exactly as scanned), once the schema accepts it.
  return value as T;
}

function pathOf<R extends RouteContract>(route: R, input: Input<R>): string {
  if (!route.params) return route.path;
  const params = validated(route.params, input.params) as Record<string, string>;
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}

function viewOf(stored: StoredRecord): OfflineRecordView {
  const { record } = stored;
  return {
    recordId: record.recordId,
    occurredAt: record.occurredAt,
    amountFen: record.amountFen,
    method: record.method,
    state: stored.state,
    ...(stored.accountNo ? { accountNo: stored.accountNo } : {}),
    ...(stored.receiptNo ? { receiptNo: stored.receiptNo } : {}),
    ...(stored.reason ? { reason: stored.reason } : {}),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
