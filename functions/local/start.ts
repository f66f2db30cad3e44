/**
 * `npm start`: the whole platform on this machine.
 *   DynamoDB Local (persisted under .data/, or empty with --fresh / ECARD_FRESH=1)
 *   → tables from serverless.yml → the demo campus → every httpApi route on 127.0.0.1:$PORT.
 * Ctrl-C stops everything. Environment: PORT (3000), DYNAMODB_PORT (8000), ECARD_DATA_DIR, ECARD_FRESH=1,
 * ECARD_SEED_HISTORY=0 (a new campus without the 21 days of history).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatYuan } from '../../shared/money';
import { issueActivationCode } from '../services/admin/merchants';
import { getAccount } from '../store/accounts';
import { startDynamoDbLocal } from './dynamodb-local';
import { startLocalStack } from './stack';
import { PROJECT_ROOT } from './serverless-config';

const fresh = process.argv.includes('--fresh') || process.env.ECARD_FRESH === '1';
const port = Number(process.env.PORT ?? 3000);
const dynamodbPort = Number(process.env.DYNAMODB_PORT ?? 8000);
const dataDir = process.env.ECARD_DATA_DIR ?? join(PROJECT_ROOT, '.data', 'dynamodb');
const h5Dir = join(PROJECT_ROOT, 'miniapp', 'dist', 'h5');
const posDir = join(PROJECT_ROOT, 'web', 'dist', 'pos');
const consoleDir = join(PROJECT_ROOT, 'web', 'dist', 'console');
/** The built web apps, each at its path (as CloudFront serves them on AWS). */
const staticSites = [
  { path: '/pos/', dir: posDir },
  { path: '/console/', dir: consoleDir },
  { path: '/', dir: h5Dir },
].filter((site) => existsSync(join(site.dir, 'index.html')));

/** A local secret key: made once and kept beside the data, so sign-ins and bindings survive a restart. */
function localSecret(name: string): string {
  const file = join(PROJECT_ROOT, '.data', name);
  if (!existsSync(file)) {
    mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  process.env.SESSION_SECRET ??= localSecret('session-secret');
  process.env.IDENTITY_KEY ??= localSecret('identity-key');
  console.log(`Starting DynamoDB Local on port ${dynamodbPort} (${fresh ? 'in memory, empty' : `data in ${dataDir}`}) ...`);
  const dynamodb = await startDynamoDbLocal({ port: dynamodbPort, ...(fresh ? {} : { dataDir }) }).catch((error: Error) => {
    console.error(`Could not start DynamoDB Local: ${error.message}`);
    process.exit(1);
  });
  const stops: (() => Promise<void>)[] = [() => dynamodb.stop()];
  let stopping = false;
  const shutdown = async (signal: string) => {
    // Ctrl-C reaches us twice (from the terminal and relayed by tsx): stop once, and keep waiting.
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ...`);
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const stack = await startLocalStack({
      dynamodbEndpoint: dynamodb.endpoint,
      stage: 'local',
      port,
      staticSites,
      log: (line) => console.error(line),
    });
    stops.push(() => stack.close());
    const { platform, seed } = stack;
    if (stack.wechatPay) console.log(`Fake WeChat Pay on ${stack.wechatPay.baseUrl} (pay an order: POST ${platform.url}/__fake/wechat/pay/<orderId>)`);
    console.log(`Reconcile a day's platform bills or bank statement now: POST ${platform.url}/__fake/reconcile/{bills|bank-statement}/<YYYY-MM-DD>`);
    if (stack.network || stack.electricity) console.log('Fake campus network and dormitory power systems for utility payments (缴费): every student registered; rooms like 3-512 (buildings 1-12, floors 1-6, rooms 01-30)');
    if (stack.alipay) console.log(`Fake Alipay on ${stack.alipay.gatewayUrl.replace(/\/gateway\.do$/, '')} (pay an order: POST ${platform.url}/__fake/alipay/pay/<orderId>)`);
    if (stack.outbox) console.log('Notifications: the outbox dispatcher reads DynamoDB Local\'s stream; WeChat subscribe messages and Alipay template messages go to the fakes (docs/notifications.md)');
    console.log(`\nDemo campus: ${seed.accountsTotal} accounts (${seed.accountsCreated} created now), ${seed.terminals.length} POS terminals`);
    const { history } = seed;
    if (history.found) console.log(`History: the last ${history.days} campus days were written on an earlier start (ECARD_SEED_HISTORY=0 on a fresh campus for none)`);
    else if (history.days > 0) console.log(`History: the last ${history.days} campus days written now (${history.sales} sales, ${history.refunds} refunds, ${history.topups} counter deposits, ${history.statementsClosed} statements closed; last week left open for finance to close) in ${(history.ms / 1000).toFixed(1)} s`);
    console.log('\nSample holders (account / student or staff id / name / type / balance / ID number → default query+consumption password / mobile / card / bank card, PIN):');
    for (const sample of seed.samples) {
      const account = (await getAccount(platform.deps.db, sample.account.accountNo)) ?? sample.account;
      console.log(
        `  ${account.accountNo}  ${account.personId}  ${account.holderName}  ${account.cardType}  ¥${formatYuan(account.balanceFen)}  ` +
          `${sample.idNumber} → ${sample.password}  ${sample.mobile}  ${sample.cardKind.toUpperCase()} ${sample.chipUid}  ${sample.bankCardNo} PIN ${sample.bankPin}`,
      );
    }
    console.log('\nPOS terminals (id / merchant / place / secret for request signatures, see docs/terminal-auth.md):');
    for (const terminal of seed.terminals) {
      console.log(`  ${terminal.terminalId}  ${terminal.merchantId}  ${terminal.place}  ${terminal.secret}${terminal.status === 'active' ? '' : `  (${terminal.status})`}`);
    }
    // The seed activated them once, as an installer would; their secrets survive restarts.
    console.log('  (activated once by the seed with a one-time code; a new secret: POST /v1/admin/terminals/<id>/activation-codes, then POST /v1/pos/activation)');
    console.log(`\nCard-centre admin (POST /v1/admin/sessions): admin / ${seed.adminPassword ?? '(password shown only on the start that created it; stored hashed)'}`);
    for (const role of ['finance', 'auditor'] as const) {
      console.log(`Card-centre ${role}: ${role} / ${seed.staffPasswords[role] ?? '(password shown only on the start that created it; stored hashed)'}`);
    }
    if (existsSync(consoleDir)) console.log(`Card-centre console: ${platform.url}/console/ (sign in as above)`);

    console.log(`\nAPI on ${platform.url} (table ${platform.deps.db.tableName}):`);
    for (const route of platform.routes) {
      console.log(route.path === '*' ? `  *     (any other path: JSON 404)` : `  ${route.method.padEnd(5)} ${platform.url}${route.path}`);
    }
    if (existsSync(h5Dir)) console.log(`\nMini-program (H5): ${platform.url}/`);
    if (existsSync(posDir)) {
      // Fresh one-time codes at every start, so the terminal app can be activated as an installer would.
      console.log(`\nTerminal app: ${platform.url}/pos/ — activate it as one of the terminals with its one-time code (24 h; demo cards on its simulated reader):`);
      for (const terminal of seed.terminals) {
        const { activationCode } = await issueActivationCode(platform.deps, { username: 'npm-start', role: 'administrator' }, terminal.terminalId, { reason: 'npm start: activate the terminal app' });
        console.log(`  ${terminal.terminalId.padEnd(14)} ${activationCode}  ${terminal.kind ?? 'pos'}  ${terminal.place}`);
      }
    }
    console.log('\nReady. Press Ctrl-C to stop.');
  } catch (error) {
    console.error(error);
    await shutdown('error');
  }
}

void main();
