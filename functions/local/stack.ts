/**
 * The whole local stack on a running DynamoDB Local: fake payment and sign-in platforms (unless real
 * configurations are in the environment), the API with the H5 build, and the demo campus.
 * `npm start` prints what it returns; the end-to-end tests drive it.
 */
import { startFakeAlipay, type FakeAlipay } from './fake-alipay';
import { startFakeBank, type FakeBank } from './fake-bank';
import { startFakeElectricity, type FakeElectricity } from './fake-electricity';
import { startFakeNetwork, type FakeNetwork } from './fake-network';
import type { Deps } from '../deps';
import type { Account } from '../domain/account';
import { getAccount } from '../store/accounts';
import { reconcileBankStatement } from '../services/bank-statement';
import { reconcileBills } from '../services/bill-reconciliation';
import { startFakeWechatLogin, type FakeWechatLogin } from './fake-wechat-login';
import { startFakeWechatPay, type FakeWechatPay } from './fake-wechat-pay';
import type { DevRoute, StaticSite } from './http-server';
import { startLocalPlatform, type RunningPlatform } from './platform';
import { seedDemoCampus, type SeedReport } from './seed';
import { startOutboxStreamPoller, type OutboxStreamPoller } from './outbox-stream-poller';

export interface LocalStackOptions {
  dynamodbEndpoint: string;
  stage: string;
  port: number;
  staticSites?: StaticSite[];
  log?: (line: string) => void;
  /**
   * Holder notifications: the table's stream and its poller (default on, as `npm start` runs). Off, the
   * table has no stream: DynamoDB Local's writes are much slower with one as a run's tables pile up.
   */
  notifications?: boolean;
}

export interface LocalStack {
  platform: RunningPlatform;
  seed: SeedReport;
  wechatPay?: FakeWechatPay;
  alipay?: FakeAlipay;
  wechatLogin?: FakeWechatLogin;
  bank?: FakeBank;
  /** The campus network and dormitory power systems (utility payments); every student's network account is registered. */
  network?: FakeNetwork;
  electricity?: FakeElectricity;
  /** The outbox dispatcher: DynamoDB Local's stream polled into the handler Lambda runs (notifications). */
  outbox?: OutboxStreamPoller;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // A fake stands in for a platform only when no real configuration is given; it configures the API itself.
    const fake = async <T extends { config: unknown; close(): Promise<void> }>(configName: string, start: () => Promise<T>): Promise<T | undefined> => {
      if (process.env[configName]) return undefined;
      const started = await start();
      stops.push(() => started.close());
      process.env[configName] = JSON.stringify(started.config);
      return started;
    };
    const wechatPay = await fake('WECHAT_PAY_CONFIG', () => startFakeWechatPay());
    const alipay = await fake('ALIPAY_CONFIG', () => startFakeAlipay());
    const wechatLogin = await fake('WECHAT_LOGIN_CONFIG', () => startFakeWechatLogin());
    const bank = await fake('BANK_CONFIG', () => startFakeBank());
    const network = await fake('NETWORK_CONFIG', () => startFakeNetwork({ defaultStatus: 'registered' }));
    const electricity = await fake('ELECTRICITY_CONFIG', () => startFakeElectricity());
    // The fakes' message template ids, served to the app and used by the dispatcher (unless real ones are configured).
    if (!process.env.NOTIFICATION_TEMPLATES && (wechatLogin || alipay)) {
      process.env.NOTIFICATION_TEMPLATES = JSON.stringify({ ...(wechatLogin ? { wechat: wechatLogin.templates } : {}), ...(alipay ? { alipay: alipay.templateIds } : {}) });
    }
    // The reconciliation routes run in this process, where the fakes' per-run keys are.
    let deps: Deps | undefined;
    let samples: SeedReport['samples'] = [];
    const platform = await startLocalPlatform({
      dynamodbEndpoint: options.dynamodbEndpoint,
      stage: options.stage,
      port: options.port,
      ...(options.staticSites ? { staticSites: options.staticSites } : {}),
      devRoutes: [
        ...fakeCashierRoutes({ ...(wechatPay ? { wechat: wechatPay } : {}), ...(alipay ? { alipay } : {}) }),
        ...fakeAgreementRoutes({ ...(wechatPay ? { wechat: wechatPay } : {}), ...(alipay ? { alipay } : {}) }, () => deps),
        ...reconciliationRoutes(() => deps),
        ...demoCardRoutes(() => deps, () => samples),
      ],
      ...(options.log ? { log: options.log } : {}),
      tables: { streams: options.notifications !== false },
    });
    stops.push(() => platform.close());
    deps = platform.deps;
    const seed = await seedDemoCampus(platform.deps);
    samples = seed.samples;
    for (const sample of seed.samples) bank?.openCard(sample.bankCardNo, { pin: sample.bankPin, balanceFen: 1_000_000 });
    // Started after the seed, at the stream's end: the seeded history tells nobody anything.
    let outbox: OutboxStreamPoller | undefined;
    if (options.notifications !== false) {
      const { handler: dispatchOutbox } = await import('../handlers/outbox-stream');
      const poller = await startOutboxStreamPoller({ endpoint: options.dynamodbEndpoint, tableName: platform.deps.db.tableName, handler: dispatchOutbox, ...(options.log ? { log: options.log } : {}) });
      stops.push(() => poller.stop());
      outbox = poller;
    }
    return { platform, seed, ...(wechatPay ? { wechatPay } : {}), ...(alipay ? { alipay } : {}), ...(wechatLogin ? { wechatLogin } : {}), ...(bank ? { bank } : {}), ...(network ? { network } : {}), ...(electricity ? { electricity } : {}), ...(outbox ? { outbox } : {}), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * POST /__fake/reconcile/{bills|bank-statement}/{YYYY-MM-DD}: one run of the daily bill or bank
 * statement reconciliation for that campus day, now, against the local fakes (on AWS they are
 * scheduled functions; `npm run reconcile:bills` needs the platforms' real configuration).
 */
function reconciliationRoutes(deps: () => Deps | undefined): DevRoute[] {
  return [
    {
      method: 'POST',
      pattern: /^\/__fake\/reconcile\/(bills|bank-statement)\/(\d{4}-\d{2}-\d{2})$/,
      handle: async (match) => {
        const ready = deps();
        if (!ready) return { status: 503, body: { code: 'BUSY_RETRY', message: { zh: '本地平台尚未就绪', en: 'The local platform is not ready yet' } } };
        const report = match[1] === 'bills' ? await reconcileBills(ready, match[2]!) : await reconcileBankStatement(ready, match[2]!);
        return { status: 200, body: report };
      },
    },
  ];
}

type FakeChannel = 'wechat' | 'alipay';

/**
 * A button of the fake payment platforms, standing in for the holder on the platform's own page:
 * `act` says what the fake does (undefined when that platform is not a local fake: 404), the fake
 * then notifies the API exactly as the real one would; a refusal by the fake is 409 with its reason.
 */
function fakePlatformRoute(pattern: RegExp, refusal: { zh: string; en: string }, act: (channel: FakeChannel, id: string) => (() => Promise<number>) | undefined): DevRoute {
  return {
    method: 'POST',
    pattern,
    handle: async (match) => {
      const run = act(match[1] as FakeChannel, match[2]!);
      if (!run) return { status: 404, body: { code: 'NOT_FOUND', message: { zh: '该支付平台不是本地模拟平台', en: 'That payment platform is not a local fake' } } };
      try {
        return { status: 200, body: { notified: await run() } };
      } catch (error) {
        return { status: 409, body: { code: 'NOT_FOUND', message: refusal, detail: error instanceof Error ? error.message : String(error) } };
      }
    },
  };
}

/** POST /__fake/{wechat|alipay}/pay/{orderId}: the payer confirms the order on the fake platform. */
function fakeCashierRoutes(fakes: { wechat?: Pick<FakeWechatPay, 'pay'>; alipay?: Pick<FakeAlipay, 'pay'> }): DevRoute[] {
  return [
    fakePlatformRoute(/^\/__fake\/(wechat|alipay)\/pay\/([A-Za-z0-9_-]{1,64})$/, { zh: '模拟支付失败', en: 'The fake platform refused the payment' }, (channel, orderId) => {
      const fake = fakes[channel];
      return fake && (() => fake.pay(orderId));
    }),
  ];
}

/**
 * POST /__fake/{wechat|alipay}/agreements/sign/{agreementCode}: the holder confirms the automatic-reload
 * agreement on the fake platform (WeChat's signing mini-program, Alipay's signing page): the H5 demo's
 * stand-in for those pages.
 */
function fakeAgreementRoutes(fakes: { wechat?: Pick<FakeWechatPay, 'signContract'>; alipay?: Pick<FakeAlipay, 'signAgreement'> }, deps: () => Deps | undefined): DevRoute[] {
  return [
    fakePlatformRoute(/^\/__fake\/(wechat|alipay)\/agreements\/sign\/([A-Za-z0-9_-]{1,32})$/, { zh: '模拟签约失败', en: 'The fake platform refused the signing' }, (channel, code) => {
      const { wechat, alipay } = fakes;
      if (channel === 'wechat') return wechat && (() => wechat.signContract(code));
      // Alipay learns of a signing when its page is opened; a page the demo never opened is told where to notify.
      const notifyUrl = `${deps()?.config.publicBaseUrl ?? ''}/v1/payments/alipay/agreements/notify`;
      return alipay && (() => alipay.signAgreement(code, { notifyUrl }));
    }),
  ];
}

/**
 * The demo holders' physical cards, as a card reader would find them: the terminal app's simulated
 * reader (web/pos) offers them to tap. A card a browser has not seen yet holds what the platform last
 * wrote to its chip (or the balance, for a card never written), read now. Local only, like the fake cashier.
 */
export interface DemoCard {
  chipUid: string;
  kind: 'cpu' | 'm1';
  accountNo: string;
  holderName: string;
  chipBalanceFen: number;
  /** What `npm start` prints for the demo: the default query and consumption password, the bound bank card and its PIN. */
  password: string;
  bankCardNo: string;
  bankPin: string;
}

function demoCardOf(sample: SeedReport['samples'][number], account: Account): DemoCard {
  return {
    chipUid: sample.chipUid,
    kind: sample.cardKind,
    accountNo: account.accountNo,
    holderName: account.holderName,
    chipBalanceFen: account.chipBalanceFen ?? account.balanceFen,
    password: sample.password,
    bankCardNo: sample.bankCardNo,
    bankPin: sample.bankPin,
  };
}

/** GET /__fake/demo-cards: the demo cards to put on the simulated reader. */
function demoCardRoutes(deps: () => Deps | undefined, samples: () => SeedReport['samples']): DevRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/__fake\/demo-cards$/,
      handle: async () => {
        const ready = deps();
        const cards: DemoCard[] = [];
        for (const sample of ready ? samples() : []) cards.push(demoCardOf(sample, (await getAccount(ready!.db, sample.account.accountNo)) ?? sample.account));
        return { status: 200, body: { cards } };
      },
    },
  ];
}
