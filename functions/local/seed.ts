/**
 * The demo campus `npm start` creates: a few hundred holders of every card type, and a canteen, a
 * shop and a shower room with POS terminals. Idempotent: names and ids are deterministic, records
 * are created only if missing, and opening balances are ledger movements with fixed idempotency keys
 * (so `npm run audit` stays clean). Terminals are registered and activated the way a real one is
 * (registered by the card centre, activation code exchanged for the secret) the first time only: a
 * restart keeps their secrets, so what `npm start` printed before still signs.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps';
import { DEFAULT_DAILY_LIMIT_FEN, type Account, type CardType } from '../domain/account';
import { campusDay } from '../domain/campus-day';
import { fingerprint } from '../domain/fingerprint';
import { planTopup } from '../domain/movement-plans';
import { canSign, type MerchantCategory, type MerchantInput, type Terminal } from '../domain/merchant';
import type { Actor, StaffRole } from '../domain/staff';
import type { TerminalKind } from '../../shared/vocabulary';
import { bindBankCard, createAccount, getAccount, setIdentity } from '../store/accounts';
import { identityKey } from '../auth/session-secret';
import { idNumberDigest, maskIdNumber, maskMobile, mobileDigest } from '../domain/identity';
import { issueCard } from '../store/cards';
import { getPasswordRecord, savePasswordRecord } from '../store/passwords';
import { defaultPassword, hashPassword } from '../domain/passwords';
import { getMerchant, getTerminal, putMerchant } from '../store/terminals';
import { issueActivationCode, registerTerminal } from '../services/admin/merchants';
import { activateTerminal } from '../services/terminal-activation';
import { staffPasswordProblem } from '../domain/staff';
import { createStaffMember } from '../services/admin/sessions';
import { getStaff } from '../store/staff';
import { createMovementStore } from '../store/movements';
import { historyWindow, seedHistory, seedHistoryEnabled, type HistoryReport } from './seed-history';

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽'];

/** How many of each card type the demo campus has. */
const POPULATION: [CardType, number, string][] = [
  ['student', 220, '2024'],
  ['staff', 50, '1990'],
  ['employee', 15, '3000'],
  ['temporary', 10, '7000'],
  ['family', 10, '8000'],
  ['merchant', 5, '9000'],
];

export interface DemoMerchant {
  merchant: Omit<MerchantInput, 'createdAt'>;
  terminals: { terminalId: string; place: string; kind?: TerminalKind }[];
}

export const DEMO_MERCHANTS: DemoMerchant[] = [
  {
    merchant: { merchantId: 'M001', name: '第一食堂', category: 'canteen' as MerchantCategory, status: 'active' },
    terminals: [
      { terminalId: 'POS-M001-01', place: '第一食堂 1F 窗口 1' },
      { terminalId: 'POS-M001-02', place: '第一食堂 1F 窗口 2' },
    ],
  },
  {
    merchant: { merchantId: 'M002', name: '教育超市', category: 'shop', status: 'active' },
    terminals: [{ terminalId: 'POS-M002-01', place: '教育超市 收银台 1' }],
  },
  {
    merchant: { merchantId: 'M003', name: '学生浴室', category: 'shower', status: 'active' },
    terminals: [{ terminalId: 'POS-M003-01', place: '学生浴室 结算机' }],
  },
  {
    merchant: { merchantId: 'M004', name: '图书馆', category: 'library', status: 'active' },
    terminals: [{ terminalId: 'GATE-M004-01', place: '图书馆 入口闸机' }],
  },
  {
    merchant: { merchantId: 'M005', name: '卡务中心', category: 'kiosk', status: 'active' },
    terminals: [{ terminalId: 'KIOSK-M005-01', place: '卡务中心 圈存机 1' }],
  },
  // Utility payments in the app (UTILITY_POLICY names them): no terminals.
  {
    merchant: { merchantId: 'M006', name: '网络中心', category: 'utility', status: 'active' },
    terminals: [],
  },
  {
    merchant: { merchantId: 'M007', name: '宿舍电费', category: 'utility', status: 'active' },
    terminals: [],
  },
];

/** A small deterministic PRNG so the demo campus is the same on every start. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoHolder {
  account: Account;
  openingBalanceFen: number;
}

export function demoHolders(now: Date): DemoHolder[] {
  const random = mulberry32(20260901);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const holders: DemoHolder[] = [];
  let accountSeq = 10001;
  const today = campusDay(now);
  for (const [cardType, count, idPrefix] of POPULATION) {
    for (let i = 1; i <= count; i++) {
      const name = pick(SURNAMES) + pick(GIVEN) + (random() < 0.6 ? pick(GIVEN) : '');
      const expiresOn = cardType === 'temporary' ? `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` : undefined;
      holders.push({
        account: {
          accountNo: String(accountSeq++),
          personId: `${idPrefix}${String(i).padStart(6, '0')}`,
          holderName: name,
          cardType,
          status: 'active',
          ...(expiresOn ? { expiresOn } : {}),
          balanceFen: 0,
          transitionalFen: 0,
          smallWalletFen: 0,
          dailySpentFen: 0,
          dailySpentDay: today,
          dailyLimitFen: DEFAULT_DAILY_LIMIT_FEN,
          version: 0,
          createdAt: now.toISOString(),
        },
        // 0 to 300 yuan in whole yuan, a few at zero to show refusals.
        openingBalanceFen: i % 25 === 0 ? 0 : Math.floor(random() * 300) * 100 + 100,
      });
    }
  }
  return holders;
}

/** A sample holder the demo prints: with passwords (the ID number's last six digits) and a bound bank card. */
export interface SampleHolder {
  account: Account;
  idNumber: string;
  mobile: string;
  password: string;
  bankCardNo: string;
  bankPin: string;
  chipUid: string;
  cardKind: 'cpu' | 'm1';
}

export interface SeedReport {
  accountsCreated: number;
  accountsTotal: number;
  terminals: Terminal[];
  samples: SampleHolder[];
  /** The demo card-centre administrator's password: only on the start that created it (it is kept hashed, never shown again). */
  adminPassword?: string;
  /** The same for the demo `finance` and `auditor` staff (usernames as their roles). */
  staffPasswords: Partial<Record<'finance' | 'auditor', string>>;
  /** The last 21 campus days written by the seed (seed-history.ts); zeros when off or already there. */
  history: HistoryReport;
}

/** A demo staff member made once with a random password: the password the first time, undefined after. */
async function demoStaffMember(deps: Pick<Deps, 'db' | 'clock'>, username: string, role: StaffRole): Promise<string | undefined> {
  if (await getStaff(deps.db, username)) return undefined;
  let password: string;
  do password = randomBytes(12).toString('base64url');
  while (staffPasswordProblem(password, username));
  return (await createStaffMember(deps, { username, role, password })) ? password : undefined;
}

/** A syntactically valid 18-character PRC ID number (GB 11643 check character) for a demo person. */
export function demoIdNumber(seq: number): string {
  const body = `110105${2000 + (seq % 8)}${String((seq % 12) + 1).padStart(2, '0')}${String((seq % 28) + 1).padStart(2, '0')}${String(seq % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

/** The card centre's registrations and activations of the demo terminals are logged as this seed's. */
const SEED_ACTOR: Actor = { username: 'demo-seed', role: 'administrator' };

/** What a terminal of a merchant of this category is, unless the demo says. */
function terminalKindOf(category: MerchantCategory): TerminalKind {
  return category === 'gate' || category === 'library' ? 'gate' : category === 'kiosk' ? 'kiosk' : category === 'shower' || category === 'water' ? 'water' : 'pos';
}

/**
 * A demo terminal, registered and activated as a real one is, the first time only: a terminal with a
 * secret keeps it. One left pending (a start stopped between the two steps) gets a new code.
 */
async function demoTerminal(deps: Deps, merchantId: string, category: MerchantCategory, demo: DemoMerchant['terminals'][number]): Promise<Terminal | undefined> {
  const stored = await getTerminal(deps.db, demo.terminalId);
  if (stored && canSign(stored)) return stored;
  const reason = 'demo campus seed';
  const { activationCode } = stored
    ? await issueActivationCode(deps, SEED_ACTOR, demo.terminalId, { reason })
    : await registerTerminal(deps, SEED_ACTOR, { terminalId: demo.terminalId, merchantId, place: demo.place, kind: demo.kind ?? terminalKindOf(category), reason });
  await activateTerminal(deps, { terminalId: demo.terminalId, activationCode });
  const activated = await getTerminal(deps.db, demo.terminalId);
  return activated && canSign(activated) ? activated : undefined;
}

export async function seedDemoCampus(deps: Deps, options: { history?: boolean } = {}): Promise<SeedReport> {
  const now = deps.clock();
  // With a history the campus opened 21 days ago: its holders, opening balances and merchants date from then.
  const window = await historyWindow(deps, options.history ?? seedHistoryEnabled(), demoHolders(now)[0]!.account.accountNo);
  const opened = window.days.length > 0 ? { ...deps, clock: () => window.openedAt, movements: createMovementStore(deps.db, () => window.openedAt) } : deps;
  const holders = demoHolders(window.openedAt);
  let accountsCreated = 0;
  // Small batches: DynamoDB Local applies transactions one at a time anyway.
  for (let i = 0; i < holders.length; i += 16) {
    await Promise.all(
      holders.slice(i, i + 16).map(async ({ account, openingBalanceFen }) => {
        if (await createAccount(deps.db, account)) accountsCreated++;
        if (openingBalanceFen > 0) {
          await opened.movements.post({
            accountNo: account.accountNo,
            idempotencyKey: `seed#opening#${account.accountNo}`,
            fingerprint: fingerprint({ type: 'topup', accountNo: account.accountNo, amountFen: openingBalanceFen }),
            plan: (current, today) => planTopup(current, { amountFen: openingBalanceFen, channel: 'counter', externalRef: `seed-${account.accountNo}` }, today),
          });
        }
      }),
    );
  }

  const terminals: Terminal[] = [];
  for (const { merchant, terminals: demoTerminals } of DEMO_MERCHANTS) {
    // Created once: what the card centre changed since (a suspension, a new fee rate) survives a restart.
    if (!(await getMerchant(deps.db, merchant.merchantId))) await putMerchant(deps.db, { ...merchant, createdAt: window.openedAt.toISOString() });
    for (const demo of demoTerminals) {
      const terminal = await demoTerminal(deps, merchant.merchantId, merchant.category, demo);
      if (terminal) terminals.push(terminal);
    }
  }
  // The printed samples can do everything in the demo: passwords, a bound bank card, a physical card.
  const samples: SampleHolder[] = [];
  for (const [n, holder] of [holders[0]!, holders[1]!, holders[220]!, holders[290]!].entries()) {
    const idNumber = demoIdNumber(Number(holder.account.accountNo));
    const password = defaultPassword(idNumber, 'drop')!;
    const chipUid = `04D3E0${holder.account.accountNo.padStart(8, '0')}`;
    const cardKind = n % 2 === 0 ? 'cpu' : 'm1';
    const bankCardNo = `6222020000${holder.account.accountNo.padStart(6, '0')}`;
    for (const kind of ['query', 'consumption'] as const) {
      if (!(await getPasswordRecord(deps.db, holder.account.accountNo, kind))) {
        await savePasswordRecord(deps.db, holder.account.accountNo, kind, await hashPassword(password, { isDefault: true, now }), undefined);
      }
    }
    const current = await getAccount(deps.db, holder.account.accountNo);
    if (current && !current.activePhysicalCardId) {
      await issueCard(deps.db, { cardId: `C${chipUid}`, accountNo: holder.account.accountNo, kind: cardKind, chipUid, status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) });
    }
    if (current && !current.boundBankCardNo) await bindBankCard(deps.db, holder.account.accountNo, bankCardNo);
    const mobile = `1380000${holder.account.accountNo.slice(-4)}`;
    if (current && !current.idNumberDigest) {
      const secret = await identityKey(deps.config);
      await setIdentity(deps.db, holder.account.accountNo, {
        idType: 'id_card',
        idNumberMasked: maskIdNumber(idNumber),
        idNumberDigest: idNumberDigest(secret, idNumber),
        mobileMasked: maskMobile(mobile),
        mobileDigest: mobileDigest(secret, mobile),
      });
    }
    samples.push({ account: (await getAccount(deps.db, holder.account.accountNo))!, idNumber, mobile, password, bankCardNo, bankPin: '888888', chipUid, cardKind });
  }
  // The demo card centre's staff, one per role but the counter's: a random password made once each, stored only as its scrypt hash.
  const adminPassword = await demoStaffMember(deps, 'admin', 'administrator');
  const staffPasswords: Partial<Record<'finance' | 'auditor', string>> = {};
  for (const role of ['finance', 'auditor'] as const) {
    const password = await demoStaffMember(deps, role, role);
    if (password) staffPasswords[role] = password;
  }
  // The past, once the terminals exist: by the holders who pay with their accounts (not the printed samples, whose balances `npm start` tells).
  const sampleNos = new Set(samples.map((sample) => sample.account.accountNo));
  const payers = holders
    .filter(({ account, openingBalanceFen }) => openingBalanceFen > 0 && !sampleNos.has(account.accountNo) && ['student', 'staff', 'employee'].includes(account.cardType))
    .map(({ account, openingBalanceFen }) => ({ accountNo: account.accountNo, openingBalanceFen, dailyLimitFen: account.dailyLimitFen }));
  const history = await seedHistory(deps, window, payers, DEMO_MERCHANTS.map(({ merchant }) => merchant.merchantId));
  return { accountsCreated, accountsTotal: holders.length, terminals, samples, ...(adminPassword ? { adminPassword } : {}), staffPasswords, history };
}
