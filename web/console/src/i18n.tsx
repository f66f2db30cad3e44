/**
 * The console's words: Chinese first, English on the header's switch. One table: a screen asks
 * `t('key')`; a key missing in English falls back to the Chinese, never to the key itself.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'zh' | 'en';

const WORDS = {
  appName: ['校园卡卡务中心', 'Campus Card Centre'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出登录', 'Sign out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  signInTitle: ['卡务中心工作人员登录', 'Card-centre staff sign-in'],
  loading: ['正在加载…', 'Loading…'],
  menuAccounts: ['账户查询', 'Accounts'],
  menuAudit: ['操作日志', 'Action log'],
  menuFindings: ['对账差异', 'Reconciliation'],
  menuTerminals: ['商户与终端', 'Merchants & terminals'],
  menuDashboard: ['今日概况', 'Today'],
  merchants: ['商户', 'Merchants'],
  merchantName: ['商户名称', 'Name'],
  terminalsOf: ['终端', 'Terminals'],
  terminalId: ['终端号', 'Terminal id'],
  place: ['安装位置', 'Place'],
  activatedAt: ['激活时间', 'Activated'],
  registerTerminal: ['登记终端', 'Register terminal'],
  newCode: ['新激活码', 'New code'],
  disable: ['停用', 'Disable'],
  activationCode: ['一次性激活码', 'One-time activation code'],
  codeOnce: ['激活码只显示这一次，系统不保存明文：请立即交给安装人员', 'Shown this once and kept nowhere: give it to the installer now'],
  codeExpires: ['有效期至', 'valid until'],
  codeNoted: ['已记下', 'Noted'],
  asOf: ['数据时间', 'As of'],
  refresh: ['刷新', 'Refresh'],
  turnover: ['营业额', 'Turnover'],
  turnoverToday: ['今日消费（净额）', 'Turnover today (net)'],
  topupsToday: ['今日充值', 'Top-ups today'],
  payments: ['笔', 'payments'],
  refunds: ['退款', 'refunds'],
  online: ['在线终端', 'Online'],
  offline: ['离线终端', 'Offline'],
  disabled: ['已停用', 'Disabled'],
  pendingActivation: ['待激活', 'Not activated'],
  minutes: ['分钟内有请求', 'min window'],
  frozenAccounts: ['冻结账户', 'Frozen accounts'],
  openFindings: ['待处理差异', 'Open findings'],
  turnoverByMerchant: ['各商户今日营业额（元）', 'Turnover per merchant today (yuan)'],
  topupsByChannel: ['各渠道充值（元）', 'Top-ups per channel (yuan)'],
  terminals: ['终端状态', 'Terminals'],
  noTurnover: ['今日暂无消费', 'No payments yet today'],
  noTopups: ['今日暂无充值', 'No top-ups yet today'],
  forbidden: ['无权限', 'Not allowed'],
  search: ['查询', 'Search'],
  searchPlaceholder: ['账号 / 学工号 / 姓名 / 芯片号 / 手机尾号', 'Account / student or staff id / name / chip UID / mobile’s last 4'],
  searchHint: ['可按账号、学工号、姓名（或姓名开头）、芯片号、手机后 4 位查询', 'Search by account number, student/staff id, name (or its beginning), chip UID or the mobile’s last 4 digits'],
  noMatches: ['没有找到匹配的账户', 'No account matches'],
  searchTruncated: ['结果较多，仅显示前 20 个，请输入更准确的条件', 'Only the first 20 shown: narrow the search'],
  matchedBy: ['匹配项', 'Matched by'],
  holder: ['持卡人', 'Holder'],
  personId: ['学工号', 'Student/staff id'],
  cardType: ['卡类别', 'Card type'],
  idNumber: ['证件号', 'ID number'],
  mobile: ['手机号', 'Mobile'],
  status: ['状态', 'Status'],
  expiresOn: ['有效期至', 'Expires on'],
  balance: ['账户余额', 'Balance'],
  transitional: ['过渡余额', 'Transitional'],
  smallWallet: ['小钱包', 'Small wallet'],
  chipBalance: ['卡内余额（上次读取）', 'Chip balance (last read)'],
  dailyLimit: ['日限额', 'Daily limit'],
  spentToday: ['今日已用', 'Spent today'],
  cards: ['卡片', 'Cards'],
  cardKind: ['卡种', 'Kind'],
  chipUid: ['芯片号', 'Chip UID'],
  issuedOn: ['发卡日期', 'Issued on'],
  passwords: ['密码状态', 'Passwords'],
  pwDefault: ['初始密码', 'default'],
  pwSet: ['已设置', 'set'],
  pwUnset: ['未设置', 'not set'],
  pwLockedUntil: ['锁定至', 'locked until'],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  openRequests: ['待办申请', 'Open requests'],
  noOpenRequests: ['没有待办申请', 'No open requests'],
  recentLedger: ['近期流水', 'Recent ledger'],
  ledgerUnavailable: ['管理端流水接口尚未提供', 'The admin API has no ledger route yet'],
  actions: ['业务办理', 'Actions'],
  reason: ['原因', 'Reason'],
  reasonHint: ['请写明原因（至少 2 个字，勿填证件号）', 'Say why (at least 2 characters, never an ID number)'],
  confirm: ['确认办理', 'Confirm'],
  cancel: ['取消', 'Cancel'],
  close: ['关闭', 'Close'],
  done: ['办理成功', 'Done'],
  reportLoss: ['挂失', 'Report loss'],
  reportLossUnavailable: ['管理端挂失接口尚未提供（持卡人可在 App 或自助机挂失）', 'The admin API has no loss report yet (holders report in the app or at a kiosk)'],
  unfreeze: ['解挂/解冻', 'Unfreeze'],
  resetPassword: ['重置密码', 'Reset password'],
  adjust: ['调账', 'Adjust'],
  replacement: ['补卡发放', 'Hand over replacement'],
  issueCard: ['发实体卡', 'Issue card'],
  release: ['释放过渡余额', 'Release transitional'],
  level: ['平账', 'Level to card'],
  terminate: ['销户', 'Terminate'],
  direction: ['方向', 'Direction'],
  credit: ['调增', 'Credit'],
  debit: ['调减', 'Debit'],
  amountYuan: ['金额（元）', 'Amount (yuan)'],
  chipBalanceYuan: ['读卡器显示的卡内余额（元）', 'Chip balance on the reader (yuan)'],
  passwordKind: ['密码类型', 'Password'],
  queryPassword: ['查询密码', 'Query password'],
  consumptionPassword: ['消费密码', 'Payment password'],
  idNumberCheck: ['持卡人证件号（核对）', 'Holder’s ID number (checked)'],
  terminationReason: ['销户原因', 'Why closed'],
  destination: ['退款去向', 'Refund to'],
  bankCard: ['绑定银行卡', 'Bank card on file'],
  cash: ['现金', 'Cash'],
  note: ['备注', 'Note'],
  fee: ['工本费', 'Fee'],
  receiptNo: ['凭证号', 'Receipt'],
  day: ['日期', 'Day'],
  time: ['时间', 'Time'],
  who: ['操作人', 'Who'],
  role: ['角色', 'Role'],
  action: ['操作', 'Action'],
  target: ['对象', 'Target'],
  details: ['详情', 'Details'],
  filterAction: ['按操作筛选', 'Filter by action'],
  filterWho: ['按操作人筛选', 'Filter by staff'],
  filterTarget: ['按对象筛选', 'Filter by target'],
  exportCsv: ['导出 CSV', 'Export CSV'],
  loadMore: ['加载更多', 'Load more'],
  source: ['来源', 'Source'],
  kind: ['类型', 'Kind'],
  outside: ['外部记录', 'Outside'],
  ours: ['本系统', 'Ours'],
  resolve: ['处理', 'Resolve'],
  resolution: ['处理结果', 'Resolution'],
  adjusted: ['已调账', 'Adjusted'],
  refunded: ['已退款', 'Refunded'],
  noAction: ['无需处理', 'No action'],
  noFindings: ['没有待处理的对账差异', 'No open findings'],
  readOnly: ['只读角色', 'Read-only role'],
  account: ['账号', 'Account'],
  networkDown: ['网络连接失败，请检查后重试', 'The network is unreachable; please try again'],
  badAnswer: ['服务器的应答格式有误', 'The server’s answer was not understood'],
} satisfies Record<string, [string, string]>;

export type WordKey = keyof typeof WORDS;

/** Names of the API's enums (statuses, roles, card types) in both languages; unknown values show as they are. */
const NAMES: Record<string, [string, string]> = {
  active: ['正常', 'Active'],
  lost: ['挂失', 'Lost'],
  frozen: ['冻结', 'Frozen'],
  cancelled: ['已销户', 'Cancelled'],
  expired: ['已过期', 'Expired'],
  void: ['作废', 'Void'],
  replaced: ['已补卡', 'Replaced'],
  staff: ['教职工', 'Staff'],
  student: ['学生', 'Student'],
  employee: ['职工', 'Employee'],
  temporary: ['临时卡', 'Temporary'],
  merchant: ['商户卡', 'Merchant'],
  family: ['家属', 'Family'],
  cpu: ['CPU 卡', 'CPU card'],
  m1: ['M1 卡', 'M1 card'],
  electronic: ['电子卡', 'Electronic'],
  operator: ['卡务操作员', 'Card operator'],
  supervisor: ['主管', 'Supervisor'],
  finance: ['财务', 'Finance'],
  administrator: ['管理员', 'Administrator'],
  auditor: ['审计（只读）', 'Auditor (read-only)'],
  id_card: ['身份证', 'ID card'],
  passport: ['护照', 'Passport'],
  query: ['查询密码', 'Query password'],
  consumption: ['消费密码', 'Payment password'],
  requested: ['待发卡', 'Waiting'],
  issued: ['已发卡', 'Issued'],
  graduated: ['毕业', 'Graduated'],
  left: ['离校/离职', 'Left'],
  violation: ['违规', 'Violation'],
  deceased: ['身故', 'Deceased'],
  holder_request: ['本人申请', 'Holder’s request'],
  open: ['待处理', 'Open'],
  resolved: ['已处理', 'Resolved'],
  adjusted: ['已调账', 'Adjusted'],
  refunded: ['已退款', 'Refunded'],
  no_action: ['无需处理', 'No action'],
  pending_activation: ['待激活', 'Not activated'],
  disabled: ['已停用', 'Disabled'],
  suspended: ['已暂停', 'Suspended'],
  pos: ['收款机', 'POS'],
  gate: ['门禁', 'Gate'],
  water: ['水控', 'Water'],
  kiosk: ['自助机', 'Kiosk'],
  wechat_bill: ['微信支付账单', 'WeChat Pay bill'],
  alipay_bill: ['支付宝账单', 'Alipay bill'],
  bank_statement: ['银行流水', 'Bank statement'],
  water_usage: ['水控用量', 'Water usage'],
  offline_upload: ['脱机上传', 'Offline upload'],
  missing_from_bill: ['账单缺失', 'Missing from bill'],
  amount_mismatch: ['金额不符', 'Amount mismatch'],
  unknown_payment: ['未知支付', 'Unknown payment'],
};

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: WordKey): string;
  /** An API enum value in words. */
  name(value: string): string;
  /** A refusal's message in the current language. */
  pick(message: { zh: string; en: string }): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);
const LANG_KEY = 'ecard.console.lang';

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'));
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const at = lang === 'zh' ? 0 : 1;
    return {
      lang,
      setLang,
      t: (key) => WORDS[key][at] || WORDS[key][0],
      name: (value) => NAMES[value]?.[at] ?? value,
      pick: (message) => (lang === 'zh' ? message.zh : message.en),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
