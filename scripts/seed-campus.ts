/**
 * `npm run seed -- --holders 50000`: a campus of N realistic holders written with BatchWriteItem, each
 * holder exactly the items the card centre's issue path writes (account with its person index, the
 * person's claim, both default passwords, the search items, the issue's action-log entry), a physical
 * card as the counter issues it (card, chip-UID item, the account's active card) and an opening
 * balance as the movement store writes a counter top-up (ledger entry with its indexes, idempotency
 * record, the account's purses, lastEntryId and version). So search, sign-in, binding, payments and
 * `npm run audit` work on them as on issued holders.
 *
 * Idempotent: holders whose account item exists are skipped (one BatchGetItem per chunk), so a rerun
 * writes nothing and never overwrites an account that has moved since. A holder's account item is
 * written only after its other items, and a holder whose account is missing but whose opening
 * movement was recorded (a run stopped mid-chunk) is written again with that same entry, so the
 * ledger never gets a second opening entry.
 *
 *   npm run seed -- --holders 50000                 (to the `npm start` database: 127.0.0.1:8000, stage local)
 *   options: --endpoint URL, --stage S (table campus-ecard-S), --fresh (an in-memory DynamoDB Local of its own),
 *            --concurrency N (parallel writers, 8), --first N (the first holder's number, 0)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchGetCommand, BatchWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Account, CardType } from '../functions/domain/account';
import type { Card } from '../functions/domain/card';
import { campusDay } from '../functions/domain/campus-day';
import { systemAccountsOf } from '../functions/domain/chart';
import { fingerprint } from '../functions/domain/fingerprint';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest } from '../functions/domain/identity';
import type { LedgerEntry } from '../functions/domain/ledger';
import { planTopup } from '../functions/domain/movement-plans';
import { defaultPassword, hashPassword, type PasswordRecord } from '../functions/domain/passwords';
import { DEFAULT_POLICY } from '../functions/domain/policy';
import type { Actor } from '../functions/domain/staff';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { prepareEnvironment } from '../functions/local/platform';
import { PROJECT_ROOT } from '../functions/local/serverless-config';
import { actionLogPut } from '../functions/services/admin/action-log';
import { ISSUE_SCRYPT_PARAMS } from '../functions/services/admin/issuance';
import { accountSearchPuts } from '../functions/store/account-search';
import { isDatabaseUnavailable, type Db } from '../functions/store/db';
import { keys, systemAccountIndexes } from '../functions/store/keys';
import { nextEntryId } from '../functions/store/movements';

/** Seeded holders' numbers start here: far above the card centre's own (100001 on, ACCOUNT_NUMBER_BASE) and the demo's (10001 on). */
export const CAMPUS_ACCOUNT_BASE = 2_000_000;

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉娣叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣育滢馥筠柔竹凝晓欢霄枫芸菲寒伊亚宜可舒影思'];

/** A campus's mix per 100 holders: card type, person-id prefix. */
function cardTypeOf(n: number): [CardType, string] {
  const slot = n % 100;
  if (slot < 85) return ['student', '2025'];
  if (slot < 95) return ['staff', '1991'];
  if (slot < 97) return ['employee', '3001'];
  if (slot < 98) return ['temporary', '7001'];
  if (slot < 99) return ['family', '8001'];
  return ['merchant', '9001'];
}

/** Deterministic draws from a holder's number (mulberry32 step), so every run makes the same holder. */
function draw(n: number, salt: number): number {
  let t = (Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/** GB 11643's check character of a 17-digit body. */
function checkCharacter(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return '10X98765432'[[...body].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0) % 11]!;
}

/**
 * A valid, unique 18-character ID number for holder n. Its last six digits (the default password)
 * take few values (70 at 50,000 holders: the birth day and sequence vary slowest), and X check
 * characters are avoided: the seed then hashes a few distinct default passwords, not one per holder
 * (7 ms of scrypt each: minutes at 50,000).
 */
function idNumberOf(n: number): string {
  for (let bump = 0; ; bump++) {
    const m = n * 7 + bump;
    const area = 110101 + (m % 97);
    const rest = Math.floor(m / 97);
    const year = 1960 + (rest % 48);
    const month = (Math.floor(rest / 48) % 12) + 1;
    const day = (Math.floor(rest / 576) % 10) + 1;
    const seq = Math.floor(rest / 5760) % 10;
    const body = `${area}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}00${seq}`;
    const check = checkCharacter(body);
    if (check !== 'X') return body + check;
  }
}

export interface CampusHolder {
  accountNo: string;
  personId: string;
  holderName: string;
  cardType: CardType;
  idNumber: string;
  mobile: string;
  chipUid: string;
  openingBalanceFen: number;
  expiresOn?: string;
}

/** Holder n of the seeded campus (pure, deterministic). */
export function campusHolder(n: number, today: string): CampusHolder {
  const [cardType, prefix] = cardTypeOf(n);
  const pick = (items: string[], salt: number) => items[Math.floor(draw(n, salt) * items.length)]!;
  const accountNo = String(CAMPUS_ACCOUNT_BASE + n + 1);
  return {
    accountNo,
    personId: `${prefix}${String(n + 1).padStart(6, '0')}`,
    holderName: pick(SURNAMES, 1) + pick(GIVEN, 2) + (draw(n, 3) < 0.6 ? pick(GIVEN, 4) : ''),
    cardType,
    idNumber: idNumberOf(n),
    mobile: `13${5 + (n % 5)}${String(n % 100_000_000).padStart(8, '0')}`,
    chipUid: `04C5A1${accountNo.padStart(8, '0')}`,
    // 1 to 300 yuan in whole yuan; every 25th holder at zero (refusals show).
    openingBalanceFen: n % 25 === 24 ? 0 : Math.floor(draw(n, 5) * 300) * 100 + 100,
    ...(cardType === 'temporary' ? { expiresOn: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` } : {}),
  };
}

/** Whose action-log entries the seed's issues are. */
const SEED_ACTOR: Actor = { username: 'campus-seed', role: 'administrator' };

export interface SeedContext {
  db: Db;
  /** The identity key (IDENTITY_KEY) of the digests binding checks. */
  identitySecret: string;
  now: Date;
  /** Default-password records by password: one scrypt per distinct password (see idNumberOf). */
  passwords?: Map<string, Promise<PasswordRecord>>;
}

/** Holders a writer takes at a time: one BatchGetItem of their 2 × 50 keys, and their account items in two full batches. */
const CHUNK = 50;

const openingKey = (accountNo: string) => `seed#campus#opening#${accountNo}`;

/**
 * Holder n's items: everything but the account first, the account last (its existence is what a
 * rerun checks). `recorded`: the opening movement's entry if a stopped run already recorded it.
 */
export async function campusHolderItems(context: SeedContext, n: number, recorded?: LedgerEntry): Promise<{ items: Record<string, unknown>[]; account: Record<string, unknown> }> {
  const holder = campusHolder(n, campusDay(context.now));
  const at = recorded ? new Date(recorded.createdAt) : context.now;
  const today = campusDay(at);
  const createdAt = at.toISOString();
  const { accountNo, personId } = holder;
  const password = defaultPassword(holder.idNumber, 'drop')!;
  const passwords = (context.passwords ??= new Map());
  if (!passwords.has(password)) passwords.set(password, hashPassword(password, { isDefault: true, now: context.now, params: ISSUE_SCRYPT_PARAMS }));
  const record = await passwords.get(password)!;
  let account: Account = {
    accountNo,
    personId,
    holderName: holder.holderName,
    cardType: holder.cardType,
    status: 'active',
    ...(holder.expiresOn ? { expiresOn: holder.expiresOn } : {}),
    balanceFen: 0,
    transitionalFen: 0,
    smallWalletFen: 0,
    dailySpentFen: 0,
    dailySpentDay: today,
    dailyLimitFen: DEFAULT_POLICY.defaultDailyLimitFen,
    idType: 'id_card',
    idNumberMasked: maskIdNumber(holder.idNumber),
    idNumberDigest: idNumberDigest(context.identitySecret, holder.idNumber),
    mobileMasked: maskMobile(holder.mobile),
    mobileDigest: mobileDigest(context.identitySecret, holder.mobile),
    version: 0,
    createdAt,
  };
  const deps = { db: context.db, clock: () => at };
  const items: Record<string, unknown>[] = [
    // The issue path (issued-accounts.ts createIssuedAccount): claim, passwords, search items, action log.
    { ...keys.personClaim(personId), accountNo, personId, createdAt },
    { ...keys.password(accountNo, 'query'), ...record, changedAt: createdAt },
    { ...keys.password(accountNo, 'consumption'), ...record, changedAt: createdAt },
    ...accountSearchPuts(context.db, account).map((put) => put.Put!.Item!),
    actionLogPut(deps, SEED_ACTOR, { action: 'account.issue', target: `account:${accountNo}`, reason: 'campus seed', details: { personId, cardType: holder.cardType, idType: 'id_card' } }).Item!,
  ];
  // The counter's card issue (cards.ts issueCard): card, chip-UID item, the account's active card.
  const card: Card = { cardId: `C${holder.chipUid}`, accountNo, kind: 'm1', chipUid: holder.chipUid, status: 'active', issuedAt: createdAt, issuedOn: today, issuedBy: SEED_ACTOR.username };
  items.push({ ...keys.card(accountNo, card.cardId), ...card }, { ...keys.chipUid(holder.chipUid), accountNo, cardId: card.cardId });
  account = { ...account, activePhysicalCardId: card.cardId, activeChipUid: holder.chipUid, activePhysicalCardKind: 'm1', version: 1 };
  if (holder.openingBalanceFen > 0) {
    // The movement store's counter top-up (movements.ts): entry, idempotency record, the account's purses.
    const plan = planTopup(account, { amountFen: holder.openingBalanceFen, channel: 'counter', externalRef: `seed-${accountNo}` }, today);
    const entryId = recorded?.entryId ?? nextEntryId(at, undefined);
    const entry: LedgerEntry = recorded ?? { ...plan.entry, entryId, receiptNo: entryId, accountNo, after: plan.after, createdAt, campusDay: today };
    items.push(
      { ...keys.ledgerEntry(accountNo, entryId), ...keys.receiptIndex(entry.receiptNo), ...systemAccountIndexes(systemAccountsOf(entry.transfers), today, entryId), ...entry },
      {
        ...keys.idempotency(openingKey(accountNo)),
        fingerprint: fingerprint({ type: 'topup', accountNo, amountFen: holder.openingBalanceFen }),
        entry,
        holderName: account.holderName,
      },
    );
    account = { ...account, ...plan.after, dailySpentFen: plan.dailySpentFen, dailySpentDay: plan.dailySpentDay, lastEntryId: entryId, version: 2 };
  }
  return { items, account: { ...keys.account(accountNo), ...keys.personIndex(personId), ...account } };
}

async function batchGet(db: Db, requested: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < requested.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = requested.slice(i, i + 100);
    for (let round = 0; pending?.length; round++) {
      const out: BatchGetCommandOutput = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[db.tableName] ?? []));
      pending = out.UnprocessedKeys?.[db.tableName]?.Keys;
      if (pending?.length) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 20 * 2 ** round)));
    }
  }
  return found;
}

async function batchWrite(db: Db, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; requests.length > 0; round++) {
      const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: requests } }));
      requests = (out.UnprocessedItems?.[db.tableName] ?? []) as typeof requests;
      // Unprocessed means throttled (on AWS): back off before sending the rest.
      if (requests.length) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 20 * 2 ** round)));
    }
  }
}

export interface SeedReport {
  holders: number;
  created: number;
  skipped: number;
  items: number;
  elapsedMs: number;
  itemsPerSecond: number;
  holdersPerSecond: number;
}

/**
 * Seeds holders [first, first + holders) with `concurrency` writers, each taking CHUNK holders at a time:
 * one BatchGetItem for their accounts and opening records, then the missing holders' items in
 * 25-item BatchWriteItems, their account items last. Progress on `onProgress` every `progressMs`.
 */
export async function seedCampus(
  context: SeedContext,
  options: { holders: number; first?: number; concurrency?: number; progressMs?: number; onProgress?: (report: SeedReport) => void },
): Promise<SeedReport> {
  const first = options.first ?? 0;
  const end = first + options.holders;
  const started = performance.now();
  let next = first;
  const report: SeedReport = { holders: options.holders, created: 0, skipped: 0, items: 0, elapsedMs: 0, itemsPerSecond: 0, holdersPerSecond: 0 };
  const snapshot = (): SeedReport => {
    const elapsedMs = performance.now() - started;
    const seconds = Math.max(elapsedMs, 1) / 1000;
    return { ...report, elapsedMs: Math.round(elapsedMs), itemsPerSecond: Math.round(report.items / seconds), holdersPerSecond: Math.round((report.created + report.skipped) / seconds) };
  };
  const writer = async () => {
    while (next < end) {
      const chunk = Array.from({ length: Math.min(CHUNK, end - next) }, (_, i) => next + i);
      next += chunk.length;
      const nos = chunk.map((n) => String(CAMPUS_ACCOUNT_BASE + n + 1));
      const found = await batchGet(context.db, [...nos.map((no) => keys.account(no)), ...nos.map((no) => keys.idempotency(openingKey(no)))]);
      const existing = new Set(found.filter((item) => item.sk === keys.account('').sk).map((item) => item.accountNo as string));
      const recorded = new Map(found.filter((item) => item.entry).map((item) => [(item.entry as LedgerEntry).accountNo, item.entry as LedgerEntry]));
      const missing = chunk.filter((_, i) => !existing.has(nos[i]!));
      report.skipped += chunk.length - missing.length;
      if (missing.length === 0) continue;
      const built = await Promise.all(missing.map((n) => campusHolderItems(context, n, recorded.get(String(CAMPUS_ACCOUNT_BASE + n + 1)))));
      const items = built.flatMap((holder) => holder.items);
      await batchWrite(context.db, items);
      await batchWrite(context.db, built.map((holder) => holder.account));
      report.items += items.length + built.length;
      report.created += missing.length;
    }
  };
  const progress = options.onProgress ? setInterval(() => options.onProgress!(snapshot()), options.progressMs ?? 2_000) : undefined;
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, writer));
  } finally {
    if (progress) clearInterval(progress);
  }
  return snapshot();
}

/** `npm start`'s identity key (kept beside its data): the seeded holders' digests must be the ones its binding checks. */
function localIdentityKey(): string {
  const file = join(PROJECT_ROOT, '.data', 'identity-key');
  if (!existsSync(file)) {
    mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || (name !== 'first' && n === 0)) throw new Error(`--${name} must be a ${name === 'first' ? 'non-negative' : 'positive'} whole number, got "${value}"`);
  return n;
}

function parseOptions() {
  return parseArgs({
    options: {
      holders: { type: 'string' },
      first: { type: 'string' },
      endpoint: { type: 'string' },
      stage: { type: 'string', default: 'local' },
      fresh: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
    },
  });
}

async function main(): Promise<number> {
  const usage = 'usage: npm run seed -- --holders N [--endpoint URL | --fresh] [--stage S] [--concurrency N] [--first N]';
  let values: ReturnType<typeof parseOptions>['values'];
  let holders: number, first: number, concurrency: number;
  try {
    values = parseOptions().values;
    holders = positive('holders', values.holders, 300);
    first = positive('first', values.first, 0);
    concurrency = positive('concurrency', values.concurrency, 8);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  process.env.LOG_LEVEL ??= 'warn';
  const dynamodb = values.fresh ? await startDynamoDbLocal() : undefined;
  try {
    const endpoint = dynamodb?.endpoint ?? values.endpoint ?? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
    const identitySecret = process.env.IDENTITY_KEY ?? (values.fresh ? randomBytes(32).toString('base64url') : localIdentityKey());
    const { deps } = await prepareEnvironment(endpoint, values.stage!).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) throw new Error(`no DynamoDB at ${endpoint}: start it with \`npm start\`, or give --endpoint, or --fresh`);
      throw error;
    });
    console.log(`seeding ${holders} holders (${CAMPUS_ACCOUNT_BASE + first + 1}…${CAMPUS_ACCOUNT_BASE + first + holders}) into ${deps.db.tableName} on ${endpoint}, ${concurrency} writers`);
    const report = await seedCampus(
      { db: deps.db, identitySecret, now: deps.clock() },
      { holders, first, concurrency, onProgress: (p) => console.error(`  ${p.created} created, ${p.skipped} already there, ${p.items} items (${p.itemsPerSecond} items/s)`) },
    );
    console.log(
      `seeded ${report.created} holders (${report.skipped} already there), ${report.items} items in ${(report.elapsedMs / 1000).toFixed(1)} s: ` +
        `${report.itemsPerSecond} items/s, ${report.holdersPerSecond} holders/s`,
    );
    return 0;
  } finally {
    await dynamodb?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
