/**
 * The crash harness (docs/chaos.md): a stream of operations from clients that retry as real ones do,
 * against the local API in its own process (bench/chaos/api-process.ts) that is SIGKILLed at random and
 * started again on the same port, with DynamoDB faults injected underneath (a proxy that drops
 * connections, bench/chaos/dynamo-proxy.ts, and the SDK faults of functions/store/fault-injection.ts).
 * The fakes (WeChat Pay, Alipay, the bank) and DynamoDB Local live here and survive the kills. At the
 * end the faults stop, the clients finish, every resolver runs once, and the books are checked: the
 * audit, one ledger entry per operation a client believes posted and none for the others, every
 * pending transfer resolved, every purse = opening + credits − payments, every bank card debited
 * only for what was credited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setDeps, type Deps } from '../../functions/deps';
import { campusDay } from '../../functions/domain/campus-day';
import { PENDING_KINDS } from '../../functions/domain/pending';
import { hashPassword } from '../../functions/domain/passwords';
import type { Terminal } from '../../functions/domain/merchant';
import { startFakeAlipay, type FakeAlipay } from '../../functions/local/fake-alipay';
import { startFakeBank, type FakeBank } from '../../functions/local/fake-bank';
import { startFakeWechatPay, type FakeWechatPay } from '../../functions/local/fake-wechat-pay';
import { freePort, startDynamoDbLocal, type RunningDynamoDb } from '../../functions/local/dynamodb-local';
import { prepareEnvironment } from '../../functions/local/platform';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { auditLedger } from '../../functions/services/audit';
import { reconcileBankTransfers } from '../../functions/services/bank-transfers';
import { resolvePaymentCodes } from '../../functions/services/payment-codes';
import { returnUnsettledWater } from '../../functions/services/small-wallet';
import { reconcilePendingOrders } from '../../functions/services/topups';
import { deliverPendingUtilities } from '../../functions/services/utilities';
import { bindBankCard, getAccount } from '../../functions/store/accounts';
import { issueCard } from '../../functions/store/cards';
import { entriesInRange } from '../../functions/store/ledger';
import { listOpenPending } from '../../functions/store/pending';
import { savePasswordRecord } from '../../functions/store/passwords';
import { getOrder } from '../../functions/store/orders';
import { getSystemEntry } from '../../functions/store/system-entries';
import { FAULT_KINDS } from '../../functions/store/fault-injection';
import { bankTransfer, confirmCardLoad, reserveCardLoad } from '../../shared/api/pos';
import { connectTerminal, memoryStore, TerminalRefusal, TerminalUnreachable, type SaleOutcome, type TerminalClient } from '../../shared/terminal-client';
import { createTestAccount, createTestTerminal } from '../../tests/helpers/fixtures';
import { bindPhone, holderToken, type TestPhone } from '../../tests/helpers/phone';
import { seededRandom } from '../seed';
import { startDynamoProxy, type DynamoProxy, type DropKind } from './dynamo-proxy';

export const OPERATION_KINDS = ['qr_payment', 'card_tap', 'payment_code', 'topup_wechat', 'topup_alipay', 'offline_payment', 'bank_transfer', 'card_load'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface ChaosOptions {
  operations: number;
  /** Kills of the API process (SIGKILL), at random points of the operation stream. */
  kills: number;
  seed: number;
  /** A DynamoDB Local to use; one is started (in memory) when absent. */
  dynamodbEndpoint?: string;
  /** Probability per DynamoDB call of an SDK fault in the API process. */
  faultRate?: number;
  /** Probability per DynamoDB request that the proxy drops its connection. */
  dropRate?: number;
  /** The platforms' notification schedules run this many times faster than real (1000: 24 h in 86 s). */
  compression?: number;
  /** Operations running at once (one terminal each). */
  concurrency?: number;
  holders?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  operations: Record<OperationKind, { total: number; posted: number; refused: number; other: number }>;
  /** Refusals by kind and code (a refusal is a final answer: nothing moved). */
  refusals: Record<string, number>;
  kills: number;
  /** Each kill's down time, until the new process answered (ms). */
  downtimeMs: number[];
  /** The operation stream, and the end (clients finishing, resolvers, checks). */
  phasesMs: { operations: number; end: number };
  faults: Record<string, number>;
  retries: Record<string, number>;
  resolvedAtEnd: Record<string, number>;
  resolvers: Record<string, unknown>;
  audit: { findings: number; accountsChecked: number; entriesChecked: number; differences: string[] };
  /** Each a list of what is wrong (empty when right). */
  checks: { lost: string[]; doubled: string[]; unexpected: string[]; unknown: string[]; balances: string[]; bank: string[]; chips: string[]; pending: string[] };
  openPending: Record<string, number>;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** WeChat Pay's notification retries after the first (15 s, 15 s, 30 s, 3 m, 10 m, 20 m, 30 m, 30 m, 30 m, 60 m, 3 h, 3 h, 3 h, 6 h, 6 h: 24 h 4 m). */
export const WECHAT_RETRY_SECONDS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];
/** Alipay's: 8 notifications over 25 h (4 m, 10 m, 10 m, 1 h, 2 h, 6 h, 15 h after the first). */
export const ALIPAY_RETRY_SECONDS = [240, 600, 600, 3600, 7200, 21600, 54000];

/** The API in its own process on a fixed port: killed with SIGKILL, started again. */
class ApiProcess {
  #child: ChildProcess | undefined;
  #env: NodeJS.ProcessEnv;
  readonly url: string;
  up = false;
  constructor(
    readonly port: number,
    env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {
    this.#env = env;
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(extraEnv: NodeJS.ProcessEnv): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'chaos', 'api-process.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...this.#env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the API did not start within 60 s:\n${output.join('')}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join('').includes('ready ')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        for (const line of chunk.toString().split('\n').filter(Boolean)) this.log(`api: ${line}`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the API exited (${code ?? signal}) before it was ready:\n${output.join('')}`));
      });
    });
    this.up = true;
  }

  /** SIGKILL: no shutdown, whatever it was doing is cut off where it stood. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.up = false;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

export interface Holder {
  accountNo: string;
  openingFen: number;
  kind: 'm1' | 'cpu';
  chipUid: string;
  bankCardNo: string;
  bankOpeningFen: number;
  phone?: TestPhone;
  /** CPU cards: what the chip holds (the harness is the card). */
  chip?: { counter: number; balanceFen: number; busy: boolean; loadsTaken: number[] };
}

export interface SaleOp {
  kind: 'qr_payment' | 'card_tap';
  holder: Holder;
  client: TerminalClient;
  amountFen: number;
  posTxnId: string;
  outcome: SaleOutcome;
}

/** A WeChat Pay / Alipay payment code shown at a campus POS: the payer's money is at the platform, the sale is a system entry. */
export interface CodeOp {
  channel: 'wechat' | 'alipay';
  code: string;
  amountFen: number;
  client: TerminalClient;
  outcome: SaleOutcome;
}

export interface TopupOp {
  kind: 'topup_wechat' | 'topup_alipay';
  holder: Holder;
  amountFen: number;
  orderId?: string;
  /** The payer paid at the platform. */
  paid: boolean;
  notified: boolean;
}

export interface BankOp {
  holder: Holder;
  client: TerminalClient;
  transferId: string;
  amountFen: number;
  state: 'posted' | 'refused' | 'unknown';
  receiptNo?: string;
  code?: string;
}

const QUERY_PASSWORD = '246810';
const BANK_PIN = '888888';

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  // The harness's choices follow the seed (the API's faults and the timing do not).
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const compression = options.compression ?? 1000;
  const concurrency = options.concurrency ?? 6;
  const stops: (() => Promise<unknown>)[] = [];
  const faultLogDir = mkdtempSync(join(tmpdir(), 'ecard-chaos-'));
  const faultLog = join(faultLogDir, 'faults.log');
  stops.push(async () => rmSync(faultLogDir, { recursive: true, force: true }));
  const retries: Record<string, number> = { terminal_resends: 0, terminal_queries: 0, notification_redeliveries: 0, topup_order_resends: 0, bank_transfer_resends: 0, offline_upload_retries: 0, card_load_confirm_resends: 0, nonce_reused_answers: 0 };
  const resolvedAtEnd: Record<string, number> = { sales: 0, offline_records: 0, bank_transfers: 0, card_loads: 0, topup_orders: 0 };
  const savedEnv = { ...process.env };
  let api: ApiProcess | undefined;
  try {
    let dynamodb: RunningDynamoDb | undefined;
    if (!options.dynamodbEndpoint) {
      dynamodb = await startDynamoDbLocal();
      stops.push(() => dynamodb!.stop());
    }
    const endpoint = options.dynamodbEndpoint ?? dynamodb!.endpoint;
    const proxy: DynamoProxy = await startDynamoProxy(Number(new URL(endpoint).port), random);
    stops.push(() => proxy.close());

    // The platforms and the bank: here, so they outlive every kill and keep notifying through them.
    const wechat: FakeWechatPay = await startFakeWechatPay();
    const alipay: FakeAlipay = await startFakeAlipay();
    const bank: FakeBank = await startFakeBank();
    stops.push(() => wechat.close(), () => alipay.close(), () => bank.close());
    process.env.WECHAT_PAY_CONFIG = JSON.stringify(wechat.config);
    process.env.ALIPAY_CONFIG = JSON.stringify(alipay.config);
    process.env.BANK_CONFIG = JSON.stringify(bank.config);
    process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
    process.env.IDENTITY_KEY ??= randomBytes(32).toString('base64url');
    process.env.LOG_LEVEL ??= 'silent';
    const stage = `chaos${Date.now().toString(36)}`;
    const port = await freePort();
    process.env.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`;
    // This process's own connection goes straight to DynamoDB Local: setup, resolvers and the audit see no faults.
    const { deps } = await prepareEnvironment(endpoint, stage);

    api = new ApiProcess(port, { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CHAOS_DYNAMODB_ENDPOINT: proxy.endpoint, CHAOS_STAGE: stage, CHAOS_PORT: String(port) }, log);
    const faultEnv = { CHAOS_DYNAMODB_FAULT_RATE: String(options.faultRate ?? 0.02), CHAOS_FAULT_LOG: faultLog };
    await api.start({});
    const running = api;
    stops.push(() => running.kill());
    log(`API on ${api.url} (stage ${stage}); DynamoDB ${endpoint} behind the proxy ${proxy.endpoint}`);

    // The campus: holders with an M1 card and a phone, holders with a CPU card, terminals.
    const holders = await setUpHolders(deps, api.url, bank, options.holders ?? 24);
    const m1 = holders.filter((h) => h.kind === 'm1');
    const cpu = holders.filter((h) => h.kind === 'cpu');
    const fetches = countingFetch(retries);
    const clientOf = async (terminal: Terminal) =>
      connectTerminal(
        { baseUrl: running.url, store: memoryStore(), fetch: fetches, backoffMs: 150, timeoutMs: 4_000, retries: 2 },
        { terminalId: terminal.terminalId, merchantId: terminal.merchantId, place: terminal.place, kind: terminal.kind ?? 'pos', secret: terminal.secret!, activatedAt: terminal.createdAt },
      );
    const posClients: TerminalClient[] = [];
    const kioskClients: TerminalClient[] = [];
    for (let i = 0; i < concurrency; i++) {
      posClients.push(await clientOf(await createTestTerminal(deps, { merchantId: 'MCHAOS' })));
      kioskClients.push(await clientOf(await createTestTerminal(deps, { merchantId: 'MCHAOS', kind: 'kiosk' })));
    }
    // One terminal loads every CPU card: a card left unconfirmed is settled at its next tap there.
    const loader = await clientOf(await createTestTerminal(deps, { merchantId: 'MCHAOS' }));
    const offline = await clientOf(await createTestTerminal(deps, { merchantId: 'MCHAOS' }));
    await offline.refreshBundle();

    // Faults on from here: the first kill starts the API with them.
    await api.kill();
    let kills = 1;
    await api.start(faultEnv);
    proxy.setDropRate(options.dropRate ?? 0.02);

    const sales: SaleOp[] = [];
    const codeSales: CodeOp[] = [];
    const topups: TopupOp[] = [];
    const transfers: BankOp[] = [];
    const counts = Object.fromEntries(OPERATION_KINDS.map((k) => [k, { total: 0, posted: 0, refused: 0, other: 0 }])) as ChaosReport['operations'];
    const notifiers: Promise<void>[] = [];
    let loadsReserved = 0;
    const refusals: Record<string, number> = {};
    const refused = (kind: OperationKind, code: string) => {
      refusals[`${kind} ${code}`] = (refusals[`${kind} ${code}`] ?? 0) + 1;
    };

    const notifyWithRetries = async (op: TopupOp, orderId: string) => {
      const schedule = op.kind === 'topup_wechat' ? WECHAT_RETRY_SECONDS : ALIPAY_RETRY_SECONDS;
      for (let attempt = 0; attempt <= schedule.length; attempt++) {
        if (attempt > 0) {
          retries.notification_redeliveries!++;
          await sleep((schedule[attempt - 1]! * 1000) / compression);
        }
        try {
          if (op.kind === 'topup_wechat') {
            const status = await wechat.pay(orderId);
            // WeChat: any 2xx (200, 204) within 5 s is an acknowledgement.
            if (status === 200 || status === 204) return void (op.notified = true);
          } else {
            const status = await alipay.pay(orderId);
            const answer = [...alipay.notifications].reverse().find((n) => n.outTradeNo === orderId);
            // Alipay: only the literal body `success` stops its retries.
            if (status === 200 && answer?.answerBody.trim() === 'success') return void (op.notified = true);
          }
        } catch {
          // The API is down or the connection dropped: the platform tries again on its schedule.
        }
      }
    };

    const operations: Record<OperationKind, (worker: number) => Promise<void>> = {
      qr_payment: async (worker) => sale('qr_payment', worker),
      card_tap: async (worker) => sale('card_tap', worker),
      payment_code: async (worker) => {
        const channel = random() < 0.5 ? 'wechat' : 'alipay';
        const digits = (n: number) => Array.from({ length: n }, () => between(0, 9)).join('');
        const code = channel === 'wechat' ? `1${between(0, 5)}${digits(16)}` : `28${digits(16)}`;
        const client = posClients[worker]!;
        const amountFen = between(100, 3_000);
        const outcome = await client.sell({ method: 'code', code, amountFen });
        codeSales.push({ channel, code, amountFen, client, outcome });
        counts.payment_code[outcome.status === 'posted' ? 'posted' : outcome.status === 'refused' ? 'refused' : 'other']++;
        if (outcome.status === 'refused') refused('payment_code', outcome.refusal.code);
        if (outcome.status === 'unreachable') await sleep(300);
      },
      topup_wechat: async () => topup('topup_wechat'),
      topup_alipay: async () => topup('topup_alipay'),
      offline_payment: async () => {
        const holder = pick(m1);
        const taken = await offline.takeOffline({ method: 'qr', token: holder.phone!.code(), amountFen: between(100, 800) });
        if (taken.status === 'queued') counts.offline_payment.posted++;
        else {
          counts.offline_payment.refused++;
          refused('offline_payment', taken.refusal.code);
        }
      },
      bank_transfer: async (worker) => {
        // Half of them for CPU cards: their money waits in the transitional balance for a card load.
        const holder = random() < 0.5 ? pick(cpu) : pick(m1);
        const op: BankOp = { holder, client: kioskClients[worker]!, transferId: `chaos-${options.seed}-${transfers.length}-${worker}`, amountFen: between(100, 3_000), state: 'unknown' };
        transfers.push(op);
        for (let attempt = 0; attempt < 3 && op.state === 'unknown'; attempt++) {
          if (attempt > 0) {
            retries.bank_transfer_resends!++;
            await sleep(400);
          }
          await sendTransfer(op);
        }
        counts.bank_transfer[op.state === 'posted' ? 'posted' : op.state === 'refused' ? 'refused' : 'other']++;
        if (op.code) refused('bank_transfer', op.code);
      },
      card_load: async () => {
        const holder = pick(cpu);
        const chip = holder.chip!;
        if (chip.busy) return void counts.card_load.other++; // that card is on a reader already
        chip.busy = true;
        try {
          const result = await tapForLoad(holder, 'random');
          counts.card_load[result]++;
        } finally {
          chip.busy = false;
        }
      },
    };

    async function sale(kind: SaleOp['kind'], worker: number): Promise<void> {
      const holder = pick(m1);
      const client = posClients[worker]!;
      const amountFen = between(100, 1_500);
      const outcome = kind === 'qr_payment' ? await client.sell({ method: 'code', code: holder.phone!.code(), amountFen }) : await client.sell({ method: 'card', chipUid: holder.chipUid, amountFen });
      sales.push({ kind, holder, client, amountFen, posTxnId: outcome.posTxnId, outcome });
      counts[kind][outcome.status === 'posted' ? 'posted' : outcome.status === 'refused' ? 'refused' : 'other']++;
      if (outcome.status === 'refused') refused(kind, outcome.refusal.code);
      if (outcome.status === 'unreachable') await sleep(300); // the cashier looks up, then serves the next one
    }

    async function topup(kind: TopupOp['kind']): Promise<void> {
      const holder = pick(m1);
      const op: TopupOp = { kind, holder, amountFen: between(100, 5_000), paid: false, notified: false };
      topups.push(op);
      const channel = kind === 'topup_wechat' ? 'wechat' : 'alipay';
      const payerId = channel === 'wechat' ? 'oChaosPayer0000000000000001' : '2088000000000001';
      // The app creates the order; an answer lost means the holder taps again (a new order).
      for (let attempt = 0; attempt < 4 && !op.orderId; attempt++) {
        if (attempt > 0) {
          retries.topup_order_resends!++;
          await sleep(300);
        }
        try {
          const response = await fetch(`${running.url}/v1/holder/topups`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await holderToken(holder.accountNo)}`, 'content-type': 'application/json' },
            body: JSON.stringify({ amountFen: op.amountFen, channel, payerId }),
            signal: AbortSignal.timeout(5_000),
          });
          const body = (await response.json()) as { order?: { orderId: string } };
          if (response.status === 201 && body.order) op.orderId = body.order.orderId;
          else if (response.status < 500) break;
        } catch {
          // down or dropped: the app tries again
        }
      }
      if (!op.orderId) return void counts[kind].other++;
      // The payer pays at the platform; the platform then notifies on its own schedule.
      try {
        if (kind === 'topup_wechat') await wechat.pay(op.orderId, { notify: false });
        else await alipay.pay(op.orderId, { notify: false });
      } catch (error) {
        throw new Error(`the platform would not take the payment of order ${op.orderId} it answered for: ${String(error)}`);
      }
      op.paid = true;
      counts[kind].posted++;
      notifiers.push(notifyWithRetries(op, op.orderId));
    }

    async function sendTransfer(op: BankOp): Promise<void> {
      try {
        const answer = await op.client.call(bankTransfer, {
          body: { transferId: op.transferId, chipUid: op.holder.chipUid, amountFen: op.amountFen, queryPassword: QUERY_PASSWORD, bankPin: BANK_PIN },
        });
        op.state = 'posted';
        op.receiptNo = answer.receiptNo;
      } catch (error) {
        if (error instanceof TerminalRefusal && error.code === 'TERMINAL_NONCE_REUSED') {
          // A fresh nonce answered "reused": the server met its own first write of it (a DynamoDB
          // answer lost, the SDK sent it again). The kiosk never reused one, so it knows nothing yet.
          retries.nonce_reused_answers!++;
        } else if (error instanceof TerminalRefusal && error.status < 500) {
          op.state = 'refused';
          op.code = error.code;
        } else if (!(error instanceof TerminalUnreachable) && !(error instanceof TerminalRefusal)) throw error;
      }
    }

    /**
     * An idle tap of a CPU card at the loading terminal: reserve what waits for it, then write the
     * chip and confirm ('random': sometimes the card is pulled before the write, or after it and
     * before the confirmation, a torn write; 'complete': never).
     */
    async function tapForLoad(holder: Holder, mode: 'random' | 'complete'): Promise<'posted' | 'refused' | 'other'> {
      const chip = holder.chip!;
      let reserved;
      try {
        reserved = await loader.call(reserveCardLoad, { body: { chipUid: holder.chipUid, cardTxnCounter: chip.counter, chipBalanceFen: chip.balanceFen } });
      } catch (error) {
        if (error instanceof TerminalRefusal && error.code === 'TERMINAL_NONCE_REUSED') retries.nonce_reused_answers!++;
        else if (error instanceof TerminalRefusal && error.status < 500) {
          refused('card_load', error.code);
          return 'refused';
        }
        return 'other';
      }
      if (reserved.settledEarlier && mode === 'complete') resolvedAtEnd.card_loads!++;
      const load = reserved.load;
      if (!load) return 'other';
      loadsReserved++;
      const fate = mode === 'complete' ? 1 : random();
      if (fate < 0.1) return 'other'; // pulled before the write: the chip is unchanged
      chip.counter = load.expectedCardTxnCounterAfter;
      chip.balanceFen = load.expectedChipBalanceAfterFen;
      chip.loadsTaken.push(load.amountFen);
      if (fate < 0.2) return 'other'; // torn: the chip took it, the terminal never confirmed
      for (let attempt = 0; attempt < (mode === 'complete' ? 20 : 3); attempt++) {
        if (attempt > 0) {
          retries.card_load_confirm_resends!++;
          await sleep(300);
        }
        try {
          await loader.call(confirmCardLoad, { params: { loadId: load.loadId }, body: { cardTxnCounterAfter: chip.counter, chipBalanceAfterFen: chip.balanceFen } });
          return 'posted';
        } catch (error) {
          if (error instanceof TerminalRefusal && error.code === 'TERMINAL_NONCE_REUSED') retries.nonce_reused_answers!++;
          else if (error instanceof TerminalRefusal && error.status < 500) {
            refused('card_load', error.code);
            return 'refused';
          }
        }
      }
      return 'other'; // the next tap settles it from what the chip shows
    }

    // The kills: at random points of the stream (so there are `kills` of them, every few seconds at
    // the stream's pace), the API is cut off where it stands and started again after a short pause.
    let operationsDone = false;
    const killPoints = new Set<number>();
    while (killPoints.size < Math.min(options.kills, options.operations)) killPoints.add(between(Math.floor(options.operations * 0.05), Math.floor(options.operations * 0.9)));
    let killing: Promise<void> = Promise.resolve();
    const downtimeMs: number[] = [];
    const scheduleKill = () => {
      killing = killing.then(async () => {
        const down = performance.now();
        await running.kill();
        kills++;
        await sleep(between(100, 600));
        await running.start(faultEnv);
        downtimeMs.push(Math.round(performance.now() - down));
        log(`kill ${kills - 1}: the API was down ${downtimeMs.at(-1)} ms`);
      });
    };

    // The offline terminal uploads its queue now and then, as a terminal back online does.
    const uploader = (async () => {
      while (!operationsDone) {
        await sleep(1_500);
        if ((await offline.queuedCount()) === 0) continue;
        try {
          await offline.uploadQueued();
        } catch {
          retries.offline_upload_retries!++;
        }
      }
    })();

    const weights: [OperationKind, number][] = [
      ['qr_payment', 30],
      ['card_tap', 15],
    ['payment_code', 7],
      ['topup_wechat', 8],
      ['topup_alipay', 7],
      ['offline_payment', 12],
      ['bank_transfer', 13],
      ['card_load', 10],
    ];
    const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
    const chooseKind = (): OperationKind => {
      let roll = random() * totalWeight;
      for (const [kind, weight] of weights) if ((roll -= weight) < 0) return kind;
      return 'qr_payment';
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (next < options.operations) {
          next++;
          if (killPoints.has(next)) scheduleKill();
          const kind = chooseKind();
          counts[kind].total++;
          await operations[kind](worker);
        }
      }),
    );
    operationsDone = true;
    await killing;
    const operationsMs = Math.round(performance.now() - started);
    await uploader;
    log(`operations done after ${Math.round(performance.now() - started)} ms; ${kills - 1} kills; stopping the faults`);

    // The end: faults off (the proxy passes everything, the API runs without its SDK faults).
    proxy.setDropRate(0);
    await running.kill();
    await running.start({});
    const faults: Record<string, number> = Object.fromEntries([...FAULT_KINDS, 'dropped_before_forward', 'dropped_after_forward'].map((k) => [k, 0]));
    for (const line of readText(faultLog).split('\n').filter(Boolean)) faults[line] = (faults[line] ?? 0) + 1;
    for (const [kind, n] of Object.entries(proxy.drops()) as [DropKind, number][]) faults[kind] = n;

    // The clients finish: unresolved sales through the query, the offline queue, the kiosks' transfers, the cards' next taps.
    for (const client of posClients) {
      for (let round = 0; round < 10 && (await client.unresolvedSales()).length > 0; round++) {
        for (const outcome of await client.resolveUnresolved()) {
          if (outcome.status === 'unreachable') continue;
          resolvedAtEnd.sales!++;
          const op = sales.find((s) => s.posTxnId === outcome.posTxnId) ?? codeSales.find((s) => s.outcome.posTxnId === outcome.posTxnId)!;
          op.outcome = outcome;
        }
      }
    }
    for (let round = 0; round < 10 && (await offline.queuedCount()) > 0; round++) {
      try {
        resolvedAtEnd.offline_records! += (await offline.uploadQueued()).filter((r) => r.state !== 'queued').length;
      } catch {
        retries.offline_upload_retries!++;
      }
    }
    // The platforms' schedules run to their end (or to an acknowledgement).
    await Promise.all(notifiers);

    // Every resolver once, as their schedules would run them now.
    const runResolvers = async (at: Deps) => ({
      reconcileTopups: await reconcilePendingOrders(at),
      reconcileBankTransfers: await reconcileBankTransfers(at),
      resolvePaymentCodes: await resolvePaymentCodes(at),
      returnWater: await returnUnsettledWater(at),
      deliverUtilities: await deliverPendingUtilities(at),
    });
    const resolvers: Record<string, unknown> = { now: await runResolvers(deps) };
    // The kiosk asks again under the same transferId: the answer it never got (replayed), or a final refusal.
    for (const op of transfers.filter((t) => t.state === 'unknown')) {
      for (let attempt = 0; attempt < 10 && op.state === 'unknown'; attempt++) await sendTransfer(op);
      if (op.state !== 'unknown') resolvedAtEnd.bank_transfers!++;
    }
    // Every CPU card's next tap settles what it left unconfirmed, and takes what waits for it.
    for (const holder of cpu) {
      await tapForLoad(holder, 'complete');
      await tapForLoad(holder, 'complete');
    }
    // And their runs an hour later, every timeout passed (an order never paid expires, an intent the bank never saw too).
    const later = new Date(Date.now() + 3_600_000);
    resolvers.anHourLater = await runResolvers({ ...deps, clock: () => new Date(later) });
    for (const op of topups) if (op.orderId && op.paid && !op.notified) resolvedAtEnd.topup_orders!++;

    // The books.
    const report = await auditLedger(deps.db);
    const checks = await checkBooks(deps, { holders, sales, topups, transfers, offlineRecords: await offline.offlineRecords(), bank });
    await checkPaymentCodes(deps, codeSales, wechat, alipay, checks);
    const openPending: Record<string, number> = {};
    for (const kind of PENDING_KINDS) {
      const open = await listOpenPending<{ timeoutAt: string; createdAt: string; orderId?: string; channel?: string }>(deps.db, kind);
      openPending[kind] = open.length;
      // After the runs an hour later nothing may be open at all.
      for (const item of open) {
        const what = item.orderId ? `${kind} ${item.orderId} (${item.channel})` : kind;
        checks.pending.push(`${what} made ${item.createdAt} still pending (timeout ${item.timeoutAt})`);
      }
    }
    for (const op of topups) {
      if (!op.orderId || !op.paid) continue;
      const order = await getOrder(deps.db, op.orderId);
      if (order?.state === 'pending') checks.pending.push(`order ${op.orderId} paid at the platform and still pending`);
    }
    log(`${loadsReserved} card loads reserved`);
    return {
      seed: options.seed,
      operations: counts,
      refusals,
      kills: kills - 1,
      downtimeMs,
      phasesMs: { operations: operationsMs, end: Math.round(performance.now() - started) - operationsMs },
      faults,
      retries,
      resolvedAtEnd,
      resolvers,
      audit: {
        findings: report.findings.length,
        accountsChecked: report.accountsChecked,
        entriesChecked: report.entriesChecked,
        differences: report.findings.slice(0, 20).map((f) => `${f.accountNo} [${f.check}]: ${f.problem}`),
      },
      checks,
      openPending,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    setDeps(undefined);
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
}

/**
 * Each payment-code sale its terminal believes posted: charged once at its platform (not given back)
 * and booked once (its system entry); one refused or not found: charged nothing.
 */
async function checkPaymentCodes(deps: Deps, codeSales: CodeOp[], wechat: FakeWechatPay, alipay: FakeAlipay, checks: ChaosReport['checks']): Promise<void> {
  for (const op of codeSales) {
    const what = `payment code ${op.channel} ${op.outcome.posTxnId} (${op.amountFen} fen)`;
    const charges =
      op.channel === 'wechat'
        ? wechat.codeOrders().filter((o) => o.authCode === op.code && o.transactionId !== undefined && !o.refundedByReverse).length
        : alipay.codeTrades().filter((t) => t.authCode === op.code && t.gmtPayment !== undefined && t.cancelAction !== 'refund').length;
    if (op.outcome.status === 'posted') {
      if (charges === 0) checks.lost.push(`${what}: posted, and the platform charged nobody`);
      if (charges > 1) checks.doubled.push(`${what}: the payer was charged ${charges} times`);
      const entry = await getSystemEntry(deps.db, op.outcome.receiptNo);
      if (!entry) checks.lost.push(`${what}: no system entry ${op.outcome.receiptNo}`);
      else if (entry.amountFen !== op.amountFen) checks.unexpected.push(`${what}: booked ${entry.amountFen} fen`);
    } else if (op.outcome.status === 'refused') {
      if (charges > 0) checks.unexpected.push(`${what}: refused (${op.outcome.refusal.code}), and the payer was charged ${charges} times`);
    } else checks.unknown.push(`${what}: still unresolved at the end`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Counts the terminal clients' resends (a failed attempt that is sent again) and their transaction queries. */
function countingFetch(retries: Record<string, number>): typeof fetch {
  const seen = new Set<string>();
  return async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    if (method === 'GET' && /^\/v1\/pos\/(transactions|payment-codes)\//.test(url.pathname)) retries.terminal_queries!++;
    const key = `${method} ${url.pathname} ${typeof init?.body === 'string' ? init.body : ''}`;
    if (method === 'POST') {
      if (seen.has(key)) retries.terminal_resends!++;
      else seen.add(key);
    }
    return fetch(input, init);
  };
}

async function setUpHolders(deps: Deps, apiUrl: string, bank: FakeBank, count: number): Promise<Holder[]> {
  const holders: Holder[] = [];
  const queryPassword = await hashPassword(QUERY_PASSWORD, { now: new Date(), params: { N: 1024, r: 8, p: 1, keyLength: 32 } });
  for (let i = 0; i < count; i++) {
    const kind = i % 4 === 3 ? 'cpu' : 'm1';
    const openingFen = kind === 'm1' ? 500_000 : 20_000;
    const account = await createTestAccount(deps, { balanceFen: openingFen, dailyLimitFen: 10_000_000 });
    const chipUid = `0C${account.accountNo}${kind === 'cpu' ? 'C' : 'A'}`.padEnd(14, '0');
    const now = new Date();
    await issueCard(deps.db, { cardId: `C${chipUid}`, accountNo: account.accountNo, kind, chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) });
    const bankCardNo = `6222${account.accountNo}`.padEnd(16, '7');
    await bindBankCard(deps.db, account.accountNo, bankCardNo);
    bank.openCard(bankCardNo, { pin: BANK_PIN, balanceFen: 10_000_000 });
    await savePasswordRecord(deps.db, account.accountNo, 'query', queryPassword, undefined);
    holders.push({
      accountNo: account.accountNo,
      openingFen,
      kind,
      chipUid,
      bankCardNo,
      bankOpeningFen: 10_000_000,
      ...(kind === 'm1' ? { phone: await bindPhone(apiUrl, account.accountNo) } : { chip: { counter: 0, balanceFen: openingFen, busy: false, loadsTaken: [] } }),
    });
  }
  return holders;
}

/**
 * One ledger entry for every operation its client believes posted, none for the others, and every
 * holder's purses = opening + credits − payments; the bank debited each card only for what was credited.
 */
export async function checkBooks(
  deps: Deps,
  run: {
    holders: Holder[];
    sales: Omit<SaleOp, 'client'>[];
    topups: TopupOp[];
    transfers: Omit<BankOp, 'client'>[];
    offlineRecords: { recordId: string; state: string; accountNo?: string; receiptNo?: string; amountFen: number }[];
    bank: Pick<FakeBank, 'balanceOf'>;
  },
): Promise<ChaosReport['checks']> {
  const checks: ChaosReport['checks'] = { lost: [], doubled: [], unexpected: [], unknown: [], balances: [], bank: [], chips: [], pending: [] };
  for (const holder of run.holders) {
    const entries = await entriesInRange(deps.db, holder.accountNo);
    const account = (await getAccount(deps.db, holder.accountNo))!;
    const claimed = new Set<string>();
    /** Exactly one entry answers `matches`; it is claimed so no two operations share one. */
    const expectOne = (what: string, matches: (e: (typeof entries)[number]) => boolean) => {
      const found = entries.filter(matches);
      if (found.length === 0) checks.lost.push(`${what}: no ledger entry`);
      if (found.length > 1) checks.doubled.push(`${what}: ${found.length} ledger entries`);
      for (const entry of found) claimed.add(entry.entryId);
    };
    const expectNone = (what: string, matches: (e: (typeof entries)[number]) => boolean) => {
      if (entries.some(matches)) checks.unexpected.push(`${what}: a ledger entry for an operation its client was told did not happen`);
    };
    let expectedFen = holder.openingFen;
    expectOne(`opening of ${holder.accountNo}`, (e) => e.externalRef === `opening-${holder.accountNo}`);
    for (const op of run.sales.filter((s) => s.holder === holder)) {
      const what = `${op.kind} ${op.posTxnId} (${op.amountFen} fen)`;
      if (op.outcome.status === 'posted') {
        const receiptNo = op.outcome.receiptNo;
        expectOne(what, (e) => e.receiptNo === receiptNo && e.type === 'purchase' && e.amountFen === op.amountFen);
        expectedFen -= op.amountFen;
      } else if (op.outcome.status === 'refused') expectNone(what, (e) => e.externalRef.includes(op.posTxnId));
      else checks.unknown.push(`${what}: still unresolved at the end`);
    }
    for (const record of run.offlineRecords.filter((r) => r.accountNo === holder.accountNo)) {
      const what = `offline record ${record.recordId}`;
      if (record.state === 'applied') {
        expectOne(what, (e) => e.receiptNo === record.receiptNo && e.type === 'purchase');
        expectedFen -= record.amountFen;
      } else if (record.state === 'queued') checks.unknown.push(`${what}: still queued at the end`);
      else expectNone(what, (e) => e.externalRef.includes(record.recordId));
    }
    for (const op of run.topups.filter((t) => t.holder === holder && t.orderId)) {
      const what = `${op.kind} order ${op.orderId} (${op.amountFen} fen)`;
      if (op.paid) {
        expectOne(what, (e) => e.orderId === op.orderId);
        expectedFen += op.amountFen;
      } else expectNone(what, (e) => e.orderId === op.orderId);
    }
    let bankDebitedFen = 0;
    for (const op of run.transfers.filter((t) => t.holder === holder)) {
      const what = `bank transfer ${op.transferId} (${op.amountFen} fen)`;
      if (op.state === 'posted') {
        expectOne(what, (e) => e.receiptNo === op.receiptNo && (e.type === 'topup' || e.type === 'transitional_credit') && e.amountFen === op.amountFen);
        expectedFen += op.amountFen;
        bankDebitedFen += op.amountFen;
      } else if (op.state === 'refused') expectNone(what, (e) => e.externalRef.includes(op.transferId));
      else checks.unknown.push(`${what}: no final answer at the end`);
    }
    const heldFen = account.balanceFen + account.transitionalFen + account.smallWalletFen;
    if (heldFen !== expectedFen) checks.balances.push(`${holder.accountNo}: holds ${heldFen} fen, opening + credits − payments = ${expectedFen}`);
    const bankBalance = run.bank.balanceOf(holder.bankCardNo);
    if (bankBalance !== holder.bankOpeningFen - bankDebitedFen) checks.bank.push(`${holder.bankCardNo}: the bank holds ${bankBalance}, expected ${holder.bankOpeningFen - bankDebitedFen} (debited only for what was credited)`);
    if (holder.chip) {
      const loads = entries.filter((e) => e.type === 'card_load');
      const taken = holder.chip.loadsTaken.reduce((a, b) => a + b, 0);
      const booked = loads.reduce((sum, e) => sum + e.amountFen, 0);
      if (loads.length !== holder.chip.loadsTaken.length || taken !== booked) checks.chips.push(`${holder.accountNo}: the chip took ${holder.chip.loadsTaken.length} loads (${taken} fen), the ledger has ${loads.length} (${booked} fen)`);
      if (account.balanceFen !== holder.chip.balanceFen) checks.chips.push(`${holder.accountNo}: the chip holds ${holder.chip.balanceFen}, the balance is ${account.balanceFen}`);
      for (const entry of loads) claimed.add(entry.entryId);
    }
    for (const entry of entries) if (!claimed.has(entry.entryId)) checks.unexpected.push(`${holder.accountNo}: ${entry.type} ${entry.receiptNo} (${entry.amountFen} fen, ${entry.externalRef}) answers no operation`);
  }
  return checks;
}
