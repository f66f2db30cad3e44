/**
 * The crash harness in its bounded form (bench/chaos/, docs/chaos.md): a few hundred operations from
 * retrying clients while the API process is SIGKILLed and DynamoDB fails underneath, then the books:
 * the audit, nothing lost, nothing doubled, every pending transfer resolved. And the two fault
 * layers it relies on, each checked on its own against DynamoDB Local.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareEnvironment } from '../../functions/local/platform';
import { isTransactionConflict } from '../../functions/store/conditions';
import { installFaultInjection } from '../../functions/store/fault-injection';
import { startDynamoProxy } from '../../bench/chaos/dynamo-proxy';
import { checkBooks, runChaos, type Holder } from '../../bench/chaos/harness';
import { formatReport, verdict } from '../../bench/chaos/report';
import { fingerprint } from '../../functions/domain/fingerprint';
import { planTopup } from '../../functions/domain/movement-plans';
import { createTestAccount } from '../helpers/fixtures';
import { uniqueStage, useTestPlatform } from '../helpers/platform';

const client = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'ap-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

describe('the fault layers', () => {
  let tableName: string;
  let dir: string;
  beforeAll(async () => {
    // No stream: nothing here reads it, and it slows DynamoDB Local's writes (functions/local/tables.ts).
    tableName = (await prepareEnvironment(inject('dynamodbEndpoint'), uniqueStage(), { streams: false })).deps.db.tableName;
    dir = mkdtempSync(join(tmpdir(), 'chaos-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const item = (pk: string) => ({ TableName: tableName, Item: { pk: { S: pk }, sk: { S: 'CHAOS' } } });
  const exists = async (pk: string) => (await client(inject('dynamodbEndpoint')).send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: 'CHAOS' } } }))).Item !== undefined;

  it('off unless CHAOS_DYNAMODB_FAULT_RATE is set: the write goes through', async () => {
    const db = client(inject('dynamodbEndpoint'));
    installFaultInjection(db, {});
    await db.send(new PutItemCommand(item('off')));
    expect(await exists('off')).toBe(true);
  });

  it.each([
    ['transaction_conflict', 'TransactionCanceledException', false],
    ['provisioned_throughput', 'ProvisionedThroughputExceededException', false],
    ['throttling', 'ThrottlingException', false],
    ['timeout_after_commit', 'TimeoutError', true],
  ] as const)('%s: thrown as %s, the write committed only for the timeout; counted in the fault log', async (kind, name, committed) => {
    const db = client(inject('dynamodbEndpoint'));
    const log = join(dir, `${kind}.log`);
    installFaultInjection(db, { CHAOS_DYNAMODB_FAULT_RATE: '1', CHAOS_DYNAMODB_FAULT_KINDS: kind, CHAOS_FAULT_LOG: log });
    const pk = `fault-${kind}`;
    const error = await db.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: item(pk) }] })).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe(name);
    if (kind === 'transaction_conflict') expect(isTransactionConflict(error)).toBe(true);
    expect(await exists(pk)).toBe(committed);
    expect(readFileSync(log, 'utf8')).toBe(`${kind}\n`);
  });

  it('the proxy drops a request before it reaches DynamoDB (nothing written) or after (written, the answer lost), and counts both', async () => {
    let roll = 0;
    // The proxy's random: first whether to drop (0 < rate), then which way (< 0.5 before, else after).
    const script = [0, 0.1, 0, 0.9];
    const proxy = await startDynamoProxy(Number(new URL(inject('dynamodbEndpoint')).port), () => script[roll++] ?? 1, 1);
    try {
      const db = client(proxy.endpoint);
      await expect(db.send(new PutItemCommand(item('dropped-before')))).rejects.toThrow();
      await expect(db.send(new PutItemCommand(item('dropped-after')))).rejects.toThrow();
      expect(await exists('dropped-before')).toBe(false);
      expect(await exists('dropped-after')).toBe(true);
      expect(proxy.drops()).toEqual({ dropped_before_forward: 1, dropped_after_forward: 1 });
      proxy.setDropRate(0);
      await db.send(new PutItemCommand(item('passed')));
      expect(await exists('passed')).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe('the books check', () => {
  const platform = useTestPlatform();
  it('finds a payment lost, a top-up credited twice, an entry no operation explains and a purse that does not add up', async () => {
    const deps = platform.deps;
    const account = await createTestAccount(deps, { balanceFen: 10_000 });
    const holder: Holder = { accountNo: account.accountNo, openingFen: 10_000, kind: 'm1', chipUid: '0C0000000001', bankCardNo: '6222000000000001', bankOpeningFen: 50_000 };
    const orderId = `T${'0'.repeat(26)}`;
    // The platform credits the same order twice (two idempotency keys: what a broken notification path would do).
    for (const key of ['a', 'b']) {
      await deps.movements.post({
        accountNo: account.accountNo,
        idempotencyKey: `chaos-test#${key}#${account.accountNo}`,
        fingerprint: fingerprint({ amountFen: 1_000 }),
        plan: (current, today) => planTopup(current, { amountFen: 1_000, channel: 'wechat', externalRef: `wx-${key}`, orderId }, today),
      });
    }
    // And an entry no operation explains.
    await deps.movements.post({
      accountNo: account.accountNo,
      idempotencyKey: `chaos-test#stray#${account.accountNo}`,
      fingerprint: fingerprint({ amountFen: 300 }),
      plan: (current, today) => planTopup(current, { amountFen: 300, channel: 'counter', externalRef: 'stray' }, today),
    });
    const checks = await checkBooks(deps, {
      holders: [holder],
      // The terminal was told this sale posted; the ledger has no such receipt.
      sales: [{ kind: 'qr_payment', holder, amountFen: 500, posTxnId: 'P1', outcome: { status: 'posted', posTxnId: 'P1', receiptNo: 'R-NOT-THERE', amountFen: 500, channel: 'campus', replayed: false } }],
      topups: [{ kind: 'topup_wechat', holder, amountFen: 1_000, orderId, paid: true, notified: true }],
      transfers: [{ holder, transferId: 'k-1', amountFen: 2_000, state: 'posted', receiptNo: 'R-BANK' }],
      offlineRecords: [],
      bank: { balanceOf: () => 50_000 },
    });
    expect(checks.lost).toEqual([expect.stringContaining('qr_payment P1'), expect.stringContaining('bank transfer k-1')]);
    expect(checks.doubled).toEqual([`topup_wechat order ${orderId} (1000 fen): 2 ledger entries`]);
    expect(checks.balances).toEqual([`${account.accountNo}: holds 12300 fen, opening + credits − payments = 12500`]);
    expect(checks.bank).toEqual([expect.stringContaining('the bank holds 50000, expected 48000')]);
    expect(checks.unexpected).toEqual([expect.stringContaining('(300 fen, stray) answers no operation')]);
  });
});

describe('the crash harness, bounded', () => {
  it('300 operations, 4 kills of the API and DynamoDB faults: zero audit differences, nothing lost, nothing doubled, every pending transfer resolved', async () => {
    const report = await runChaos({
      operations: 300,
      kills: 4,
      seed: 20261201,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      faultRate: 0.03,
      dropRate: 0.03,
      compression: 10_000,
      concurrency: 6,
      holders: 24,
    });
    console.log(formatReport(report));
    expect(verdict(report).problems).toEqual([]);
    expect(report.audit.findings).toBe(0);
    expect(report.checks).toEqual({ lost: [], doubled: [], unexpected: [], unknown: [], balances: [], bank: [], chips: [], pending: [] });
    expect(report.kills).toBe(4);
    const ops = report.operations;
    expect(Object.values(ops).reduce((sum, k) => sum + k.total, 0)).toBe(300);
    for (const kind of ['qr_payment', 'card_tap', 'topup_wechat', 'topup_alipay', 'offline_payment', 'bank_transfer'] as const) expect(ops[kind].posted, kind).toBeGreaterThan(0);
    // Faults were really injected, at both layers.
    const f = report.faults;
    expect(f.dropped_before_forward! + f.dropped_after_forward!).toBeGreaterThan(0);
    expect(f.transaction_conflict! + f.provisioned_throughput! + f.throttling! + f.timeout_after_commit!).toBeGreaterThan(0);
    expect(report.retries.terminal_resends).toBeGreaterThan(0);
  }, 170_000);
});
