/**
 * The one table of error codes the platform answers with. The code is stable (POS vendors and the
 * mini-program branch on it); the messages are for people, in Chinese and English. A message may
 * name parameters, `{minutes}`: the raiser passes them (typed: see ErrorParams), so a policy value
 * is never written into a message.
 */
import { formatYuan } from './money';

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '请求参数有误', en: 'The request is invalid' },
  MALFORMED_JSON: { status: 400, zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '请以 application/json 格式提交', en: 'Send the body as application/json' },
  UNAUTHENTICATED: { status: 401, zh: '身份验证失败', en: 'Authentication failed' },
  SESSION_EXPIRED: { status: 401, zh: '登录已过期，请重新登录', en: 'Your session has expired; please sign in again' },
  TERMINAL_CLOCK_SKEW: { status: 401, zh: '终端时钟偏差过大，请校准时间', en: 'The terminal clock is too far off; please synchronise it' },
  TERMINAL_NONCE_REUSED: { status: 401, zh: '请求已被使用过（重放）', en: 'This request was already used (replay)' },
  TERMINAL_DISABLED: { status: 403, zh: '终端已停用', en: 'This terminal is disabled' },
  TERMINAL_KIND_NOT_ALLOWED: { status: 403, zh: '此终端不能办理该业务', en: 'This terminal cannot do that' },
  FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, zh: '找不到请求的资源', en: 'The requested resource was not found' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在', en: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, zh: '不支持该请求方法', en: 'This method is not allowed here' },
  ACCOUNT_NOT_FOUND: { status: 404, zh: '账户不存在', en: 'The account does not exist' },
  INSUFFICIENT_BALANCE: { status: 409, zh: '余额不足', en: 'Insufficient balance' },
  CARD_LOST: { status: 409, zh: '卡片已挂失', en: 'The card is reported lost' },
  CARD_FROZEN: { status: 409, zh: '卡片已冻结', en: 'The card is frozen' },
  CARD_CANCELLED: { status: 409, zh: '账户已注销', en: 'The account is closed' },
  CARD_EXPIRED: { status: 409, zh: '卡片已过期', en: 'The card has expired' },
  CARD_VOID: { status: 409, zh: '该卡已作废（已补办新卡或已注销），请使用新卡', en: 'This card is void (replaced or cancelled); use the current card' },
  NO_PHYSICAL_CARD: { status: 409, zh: '该账户没有在用的实体卡', en: 'This account has no physical card in use' },
  ACCOUNT_NOT_CLOSED: { status: 409, zh: '账户尚未注销', en: 'The account is not closed' },
  CHIP_READ_REQUIRED: { status: 400, zh: 'CPU 卡须上送卡内余额和交易计数器', en: 'A CPU card tap must send the chip balance and the transaction counter' },
  PASSWORD_REQUIRED: {
    status: 409,
    zh: '超过每日限额，请输入消费密码',
    en: 'Above the daily limit: the consumption password is required',
  },
  INVALID_AMOUNT: { status: 400, zh: '金额无效（须为正整数分）', en: 'Invalid amount (a positive whole number of fen)' },
  RECEIPT_NOT_FOUND: { status: 404, zh: '找不到该流水号', en: 'No transaction with this receipt number' },
  REFUND_NOT_ALLOWED: {
    status: 409,
    zh: '该笔交易不能由本商户退款',
    en: 'This transaction cannot be refunded by this merchant',
  },
  REFUND_EXCEEDS_PURCHASE: { status: 409, zh: '退款金额超过原交易可退金额', en: 'The refund exceeds what is left of the purchase' },
  REFUND_WRONG_TERMINAL: { status: 403, zh: '只能在收款的终端上退款', en: 'Only the terminal that took the payment can refund it' },
  REFUND_DAY_PASSED: {
    status: 409,
    zh: '终端只能在交易当天退款，以后的退款请到卡务中心办理',
    en: 'A terminal can refund only on the day of the payment; later refunds are made by the card centre',
  },
  DUPLICATE_CHARGE_MISMATCH: {
    status: 409,
    zh: '两笔交易不是同一持卡人在同一商户的同额交易，不能按重复扣款退款',
    en: 'The two payments are not the same amount by the same holder at the same merchant: not a duplicate charge',
  },
  MERCHANT_NOT_FOUND: { status: 404, zh: '找不到该商户', en: 'No such merchant' },
  MERCHANT_EXISTS: { status: 409, zh: '该商户编号已存在', en: 'A merchant with this id exists' },
  STAFF_EXISTS: { status: 409, zh: '该工作人员用户名已存在', en: 'A staff member with this username exists' },
  STAFF_NOT_FOUND: { status: 404, zh: '找不到该工作人员', en: 'No such staff member' },
  STAFF_ALREADY_DISABLED: { status: 409, zh: '该工作人员账号已停用', en: 'This staff account is disabled already' },
  STAFF_DISABLE_SELF: { status: 409, zh: '不能停用自己的账号', en: 'You cannot disable your own account' },
  STAFF_PASSWORD_WEAK: { status: 400, zh: '密码不符合要求：至少 10 个字符、至少 4 种不同字符、不含用户名、首尾无空格', en: 'The password is too weak: at least 10 characters, 4 different ones, not the username, no spaces at either end' },
  MERCHANT_SUSPENDED: { status: 403, zh: '商户已暂停营业，终端不能交易', en: 'The merchant is suspended; its terminals are refused' },
  MERCHANT_STATUS_UNCHANGED: { status: 409, zh: '商户已是该状态', en: 'The merchant is already in this status' },
  TERMINAL_NOT_FOUND: { status: 404, zh: '找不到该终端', en: 'No such terminal' },
  TERMINAL_EXISTS: { status: 409, zh: '该终端编号已存在', en: 'A terminal with this id exists' },
  TERMINAL_ALREADY_DISABLED: { status: 409, zh: '终端已停用', en: 'The terminal is already disabled' },
  ACTIVATION_CODE_INVALID: {
    status: 401,
    zh: '激活码无效、已过期或已使用，请向卡务中心重新申请',
    en: 'The activation code is wrong, expired or used; ask the card centre for a new one',
  },
  SMALL_WALLET_FULL: { status: 409, zh: '小钱包已达上限', en: 'The small wallet is at its limit' },
  SMALL_WALLET_IN_USE: { status: 409, zh: '该控水器上的用水尚未结算，请先结算', en: 'The water at this controller is not settled yet; settle it first' },
  SMALL_WALLET_NOT_IN_USE: { status: 409, zh: '该控水器上没有待结算的用水', en: 'There is no water to settle at this controller' },
  SMALL_WALLET_USAGE_INVALID: {
    status: 409,
    zh: '用水金额超过小钱包余额',
    en: 'The water usage is more than the small wallet holds',
  },
  SMALL_WALLET_CHIP_AHEAD: {
    status: 409,
    zh: '卡内小钱包金额多于系统圈存金额，请到卡务中心核对',
    en: 'The card’s small wallet shows more than was loaded onto it; see the card centre',
  },
  SMALL_WALLET_HELD_ON_CHIP: {
    status: 409,
    zh: '小钱包余额在卡内，请先在结算终端结算',
    en: 'The small wallet’s money is on the card; settle it at a settlement terminal first',
  },
  NOTHING_TO_LOAD: { status: 409, zh: '没有待写卡的过渡余额', en: 'There is no transitional balance to load' },
  NOTHING_TO_RELEASE: { status: 409, zh: '没有可转入余额的过渡余额', en: 'There is no transitional balance to release' },
  TRANSITIONAL_WAITS_FOR_CARD: {
    status: 409,
    zh: '该账户有 CPU 卡（含已挂失的卡），过渡余额将在写卡或补卡时入账',
    en: 'This account has a CPU card (lost ones too): the transitional balance waits for it or its replacement',
  },
  CARD_UID_TAKEN: { status: 409, zh: '该卡片已被登记', en: 'This card (chip UID) is already registered' },
  CARD_ALREADY_ISSUED: {
    status: 409,
    zh: '该账户已有一张在用的实体卡',
    en: 'This account already has an active physical card',
  },
  PASSWORD_WRONG: { status: 401, zh: '密码错误', en: 'Wrong password' },
  PASSWORD_LOCKED: { status: 423, zh: '密码错误次数过多，已锁定 {minutes} 分钟', en: 'Too many wrong attempts: locked for {minutes} minutes' },
  PASSWORD_NOT_SET: { status: 409, zh: '尚未设置密码，请到卡务中心办理', en: 'No password is set; please visit the card centre' },
  PASSWORD_INVALID: { status: 400, zh: '密码须为 6 位数字', en: 'A password is exactly 6 digits' },
  PASSWORD_UNCHANGED: { status: 400, zh: '新密码不能与旧密码相同', en: 'The new password must differ from the old one' },
  TOKEN_INVALID: { status: 400, zh: '无效的校园码', en: 'This is not a valid campus code' },
  TOKEN_WRONG_PURPOSE: { status: 409, zh: '请出示对应用途的校园码（付款码/身份码）', en: 'Show the right code (payment or identity)' },
  TOKEN_EXPIRED: { status: 409, zh: '校园码已过期，请刷新后重试', en: 'The code has expired; refresh it and try again' },
  TOKEN_NOT_YET_VALID: { status: 409, zh: '校园码时间异常，请校准手机时间', en: 'The code is from the future; check the phone’s clock' },
  TOKEN_REUSED: { status: 409, zh: '校园码已使用，请刷新后重试', en: 'This code was already used; refresh it' },
  TOKEN_KEY_REVOKED: { status: 409, zh: '该设备已解绑，请在新绑定的手机上出示校园码', en: 'This phone is no longer bound; use the newly bound phone' },
  DEVICE_KEY_PROOF_INVALID: { status: 400, zh: '设备密钥校验失败', en: 'The device key proof does not verify' },
  CARD_REPLACED_TODAY: { status: 409, zh: '补办的新卡次日起方可在此使用', en: 'A replacement card works here from tomorrow' },
  OFFLINE_RECORD_HELD: { status: 409, zh: '脱机记录已挂起，待卡务中心核对', en: 'The offline record is held for the card centre to reconcile' },
  // Refused by an offline terminal itself, from its bundle (shared/terminal-client): never sent by the server.
  OFFLINE_BUNDLE_MISSING: { status: 409, zh: '终端没有脱机名单，不能脱机收款，请联网后更新', en: 'This terminal has no offline bundle; connect and download it first' },
  OFFLINE_BUNDLE_EXPIRED: { status: 409, zh: '脱机名单已过期，不能脱机收款，请联网后更新', en: 'The offline bundle has expired; connect and download a new one' },
  OFFLINE_BUNDLE_INVALID: { status: 502, zh: '脱机名单无效（格式错误或不属于本终端），未保存', en: 'The offline bundle is invalid (malformed or for another terminal) and was not saved' },
  OFFLINE_CAP_EXCEEDED: { status: 409, zh: '超出今日脱机消费限额（还可脱机消费 {remaining} 元），请联网后消费', en: 'Above today’s offline limit ({remaining} yuan left offline); pay online' },
  OFFLINE_BLACKLISTED: { status: 409, zh: '该卡已挂失、冻结或注销，不能消费', en: 'This card is lost, frozen or closed and cannot pay' },
  OFFLINE_CARD_BALANCE_INVALID: { status: 400, zh: '卡内余额不足或读取有误', en: 'The chip balance is insufficient or was misread' },
  OFFLINE_CHIP_BALANCE_INSUFFICIENT: { status: 409, zh: '卡内余额不足（{balance} 元）', en: 'The chip holds too little ({balance} yuan)' },
  TOPUP_AMOUNT_OUT_OF_RANGE: { status: 400, zh: '充值金额须在 {min} 至 {max} 元之间', en: 'A top-up is {min} to {max} yuan' },
  ORDER_NOT_FOUND: { status: 404, zh: '找不到该充值订单', en: 'No such top-up order' },
  ORDER_CLOSED: { status: 409, zh: '该充值订单已关闭，款项将原路退回', en: 'This top-up order is closed; the payment goes back to the payer' },
  FINDING_NOT_FOUND: { status: 404, zh: '找不到该对账差异', en: 'No such reconciliation finding' },
  DISPUTE_NOT_A_PAYMENT: { status: 409, zh: '只能对消费交易提出争议', en: 'Only a payment can be disputed' },
  DISPUTE_WINDOW_PASSED: { status: 409, zh: '只能对 {days} 天内的消费提出争议，请到卡务中心办理', en: 'A payment can be disputed within {days} days; after that, ask at the card centre' },
  DISPUTE_EXISTS: { status: 409, zh: '该笔交易已提出过争议', en: 'This payment has already been disputed' },
  DISPUTE_ENTRY_REFUNDED: { status: 409, zh: '该笔交易已退款，不能再提出争议', en: 'This payment has been refunded; it cannot be disputed' },
  DISPUTE_NOT_FOUND: { status: 404, zh: '找不到该争议', en: 'No such dispute' },
  DISPUTE_ALREADY_RESOLVED: { status: 409, zh: '该争议已处理', en: 'This dispute is already resolved' },
  FINDING_ALREADY_RESOLVED: { status: 409, zh: '该对账差异已处理', en: 'This reconciliation finding is already resolved' },
  STATEMENT_NOT_FOUND: { status: 404, zh: '找不到该结算单', en: 'No such settlement statement' },
  STATEMENT_NOT_CLOSED: { status: 409, zh: '该结算期尚未结账，不能付款', en: 'This settlement period is not closed yet: it cannot be paid' },
  STATEMENT_NOT_PAYABLE: { status: 409, zh: '该结算单无应付款项（日报表或应付金额不大于零）', en: 'Nothing is payable on this statement (a daily report, or a net payable of zero or less)' },
  STATEMENT_ALREADY_PAID: { status: 409, zh: '该结算单已付款', en: 'This statement is already paid' },
  STATEMENT_PERIOD_NOT_ENDED: { status: 409, zh: '该结算期尚未结束（含 {minutes} 分钟宽限），不能结账', en: 'This settlement period has not ended yet (with its {minutes}-minute grace): it cannot be closed' },
  PAYMENT_CHANNEL_UNAVAILABLE: { status: 503, zh: '支付渠道暂不可用，请稍后重试', en: 'The payment platform is unavailable; please retry later' },
  PAYMENT_NOTIFICATION_INVALID: { status: 400, zh: '支付通知校验失败', en: 'The payment notification did not verify' },
  PAYMENT_AMOUNT_MISMATCH: { status: 409, zh: '支付金额与订单不符', en: 'The paid amount does not match the order' },
  PAYMENT_CODE_UNKNOWN: { status: 400, zh: '无法识别的付款码，请扫描微信或支付宝付款码', en: 'This is not a WeChat Pay or Alipay payment code' },
  PAYMENT_CODE_IS_CAMPUS_CODE: { status: 400, zh: '这是校园码，请按校园码收款（POST /v1/pos/qr-payments）', en: 'This is a campus code: take it through POST /v1/pos/qr-payments' },
  PAYMENT_CODE_SALE_NOT_FOUND: { status: 404, zh: '本终端没有该付款码交易', en: 'This terminal has no payment-code sale under this id' },
  PAYMENT_CODE_INSUFFICIENT_FUNDS: { status: 409, zh: '付款方余额不足，请更换付款方式', en: 'The payer does not have enough money: ask for another way to pay' },
  PAYMENT_CODE_INVALID: { status: 409, zh: '付款码无效或已过期，请付款方刷新后重新扫码', en: 'The payment code is invalid or expired: ask the payer to refresh it and scan again' },
  PAYMENT_CODE_DECLINED: { status: 409, zh: '支付平台拒绝了这笔付款', en: 'The payment platform declined this payment' },
  PAYMENT_CODE_TIMED_OUT: { status: 409, zh: '付款方未及时完成支付，交易已撤销，未扣款', en: 'The payer did not finish in time: the payment was cancelled and nothing was taken' },
  CARD_NOT_FOUND: { status: 404, zh: '卡片未登记或已停用', en: 'This card is not registered or no longer in use' },
  NO_CPU_CARD: { status: 409, zh: '该卡不是 CPU 卡，无需写卡', en: 'This is not a CPU card: nothing to write' },
  LOAD_IN_PROGRESS: { status: 409, zh: '另一台终端正在为该卡写卡，请稍后再试', en: 'Another terminal is writing this card; try again shortly' },
  LOAD_NOT_FOUND: { status: 404, zh: '找不到该写卡记录', en: 'No such card load' },
  LOAD_VOIDED: { status: 409, zh: '该写卡已撤销，请重新读卡', en: 'This card load was voided; read the card again' },
  LOAD_MISMATCH: { status: 409, zh: '写卡结果与预留不符，请重新读卡', en: 'The card does not show this load; read the card again' },
  BANK_CARD_NOT_BOUND: { status: 409, zh: '未绑定银行卡，请到卡务中心办理', en: 'No bank card is bound; please visit the card centre' },
  BANK_PIN_WRONG: { status: 409, zh: '银行卡密码错误', en: 'Wrong bank card PIN' },
  BANK_INSUFFICIENT_FUNDS: { status: 409, zh: '银行卡余额不足', en: 'Not enough money on the bank card' },
  BANK_CARD_REFUSED: { status: 409, zh: '银行拒绝了该卡的转账', en: 'The bank refused a transfer from this card' },
  BANK_UNAVAILABLE: { status: 503, zh: '银行暂时无法连接，请用同一流水号重试', en: 'The bank cannot be reached; retry with the same transfer id' },
  BANK_TRANSFER_REVERSED: {
    status: 409,
    zh: '该账户无法入账，已从银行卡扣除的款项退回银行卡',
    en: 'The account cannot take this transfer: the money taken from the bank card goes back to it',
  },
  BANK_TRANSFER_EXPIRED: { status: 409, zh: '该笔圈存已超时作废，银行卡未扣款，请重新发起', en: 'This transfer timed out and was cancelled; nothing was taken from the bank card. Start a new one' },
  DAILY_LIMIT_OUT_OF_RANGE: { status: 400, zh: '每日限额须在 0 至 {max} 元之间', en: 'The daily limit must be between 0 and {max} yuan' },
  UNFREEZE_AT_CARD_CENTRE: { status: 409, zh: '请到卡务中心或自助机办理解挂', en: 'Please unfreeze at the card centre or a kiosk' },
  REPLACEMENT_NEEDS_BALANCE: { status: 409, zh: '自助补卡需要余额不少于 {min} 元（扣除工本费）', en: 'Self-service replacement needs a balance of at least {min} yuan (the fee is deducted)' },
  REPLACEMENT_NEEDS_LOSS: { status: 409, zh: '请先挂失旧卡，再申请补卡', en: 'Report the old card lost first, then request a replacement' },
  REPLACEMENT_ALREADY_REQUESTED: { status: 409, zh: '已有一份补卡申请在办理中', en: 'A replacement request is already open' },
  REPLACEMENT_NOT_REQUESTED: { status: 404, zh: '该账户没有待办理的补卡申请', en: 'This account has no open replacement request' },
  BINDING_FAILED: { status: 401, zh: '绑定信息有误，请核对后重试', en: 'The details do not match; please check and try again' },
  BINDING_LOCKED: { status: 423, zh: '尝试次数过多，请 {minutes} 分钟后再试', en: 'Too many attempts; try again in {minutes} minutes' },
  LOGIN_PLATFORM_UNAVAILABLE: { status: 503, zh: '登录服务暂不可用，请稍后重试', en: 'Sign-in is unavailable; please retry later' },
  NOTIFY_IDENTITY_NOT_BOUND: { status: 403, zh: '该微信/支付宝身份未绑定此校园卡，无法订阅通知', en: 'This WeChat/Alipay identity is not bound to this card, so it cannot subscribe to its notifications' },
  NOTIFY_TEMPLATE_UNKNOWN: { status: 400, zh: '订阅的消息模板不属于本校园卡服务', en: 'That message template is not one of this service\'s' },
  IDENTITY_MISMATCH: { status: 409, zh: '证件号码与账户登记信息不符', en: 'The ID number does not match the one on file for this account' },
  IDENTITY_NOT_ON_FILE: { status: 409, zh: '该账户未登记证件信息，请核实身份后重新办理', en: 'No ID number is on file for this account' },
  PERSON_ID_CONFLICT: { status: 409, zh: '该学工号已有账户，且证件或卡类别不符', en: 'This student/staff id already has an account with another ID number or card type' },
  ACCOUNT_NOT_FROZEN: { status: 409, zh: '账户未处于冻结或挂失状态', en: 'The account is neither frozen nor reported lost' },
  NETWORK_FEE_STUDENTS_ONLY: { status: 409, zh: '网费仅限学生缴纳', en: 'Only students can pay the campus network fee' },
  NETWORK_ACCOUNT_NOT_REGISTERED: { status: 409, zh: '尚未开通校园网账号，请先到网络中心注册', en: 'You have no campus network account; register at the network centre first' },
  NETWORK_ACCOUNT_SUSPENDED: { status: 409, zh: '校园网账号已停用，请联系网络中心', en: 'Your campus network account is suspended; contact the network centre' },
  NETWORK_WEEKS_OUT_OF_RANGE: { status: 400, zh: '每次可缴 1 至 {max} 周网费', en: 'Pay for 1 to {max} weeks at a time' },
  NETWORK_WEEK_ALREADY_PAID: { status: 409, zh: '{week} 的网费已缴，不能重复缴费', en: 'The network fee for {week} is already paid; it cannot be paid twice' },
  NETWORK_WEEK_NOT_NEXT: { status: 409, zh: '网费须从第一个未缴的周（{week}）起缴，请刷新后确认', en: 'The network fee starts from the first unpaid week ({week}); refresh and confirm again' },
  NETWORK_SYSTEM_UNAVAILABLE: { status: 503, zh: '校园网系统暂时无法连接，请稍后重试', en: 'The campus network system cannot be reached; please retry later' },
  ELECTRICITY_ROOM_UNKNOWN: { status: 404, zh: '宿舍房间号不存在，请核对', en: 'No such dormitory room; check the room number' },
  ELECTRICITY_ROOM_CLOSED: { status: 409, zh: '该宿舍房间已停止缴费', en: 'This dormitory room no longer takes payments' },
  ELECTRICITY_AMOUNT_OUT_OF_RANGE: { status: 400, zh: '电费每次缴纳 {min} 至 {max} 元', en: 'An electricity payment is {min} to {max} yuan' },
  ELECTRICITY_SYSTEM_UNAVAILABLE: { status: 503, zh: '电费系统未接入，暂不能缴费', en: 'The electricity system is not connected; payments are not possible now' },
  UTILITY_MERCHANT_UNAVAILABLE: { status: 409, zh: '该缴费项目暂停服务', en: 'This utility is not taking payments at the moment' },
  UTILITY_PAYMENT_NOT_FOUND: { status: 404, zh: '找不到该缴费记录', en: 'No such utility payment' },
  UTILITY_DELIVERY_SETTLED: { status: 409, zh: '该缴费已处理完毕', en: 'This utility payment has already been settled' },
  GUARDIAN_HOLDER_NOT_FOUND: { status: 404, zh: '学工号与姓名不符，或该账户不能充值，请核对', en: 'The id and name do not match an account that can take deposits; please check' },
  GUARDIAN_LOOKUP_LOCKED: { status: 429, zh: '尝试次数过多，请 {minutes} 分钟后再试', en: 'Too many attempts; try again in {minutes} minutes' },
  GUARDIAN_DAILY_CAP_REACHED: { status: 409, zh: '每位付款人每天最多为他人充值 {max} 元，今天还可充值 {left} 元', en: 'A payer may deposit at most {max} yuan a day for others; {left} yuan left today' },
  GUARDIAN_PAYER_UNKNOWN: { status: 400, zh: '无法确认付款人，请在微信或支付宝中打开本页', en: 'The payer cannot be identified; open this page in WeChat or Alipay' },
  GUARDIAN_DEPOSIT_NOT_FOUND: { status: 404, zh: '找不到该笔家长充值', en: 'No such guardian deposit' },
  GUARDIAN_REFUND_WHOLE_DEPOSIT: { status: 409, zh: '家长充值只能全额原路退回（{amount} 元）', en: 'A guardian deposit goes back to its payer whole ({amount} yuan)' },
  FOUND_CARD_REPORTS_LIMITED: { status: 429, zh: '上报次数过多，请 {minutes} 分钟后再试', en: 'Too many found-card reports; try again in {minutes} minutes' },
  FOUND_CARD_NOT_FOUND: { status: 404, zh: '找不到该拾卡记录', en: 'No such found-card report' },
  FOUND_CARD_ALREADY_COLLECTED: { status: 409, zh: '该卡已被领取', en: 'This card has already been collected' },
  AUTO_RELOAD_OUT_OF_RANGE: { status: 400, zh: '自动充值的阈值须在 {minThreshold}–{maxThreshold} 元之间，金额须在 {minAmount}–{maxAmount} 元之间', en: 'The automatic reload threshold must be {minThreshold}–{maxThreshold} yuan and its amount {minAmount}–{maxAmount} yuan' },
  AUTO_RELOAD_NOT_SIGNED: { status: 404, zh: '尚未开通自动充值', en: 'Automatic reload is not set up' },
  AUTO_RELOAD_ALREADY_ACTIVE: { status: 409, zh: '自动充值已开通', en: 'Automatic reload is already set up' },
  AUTO_RELOAD_CHANNEL_UNSUPPORTED: { status: 400, zh: '该支付渠道暂不支持自动充值', en: 'This payment platform does not offer automatic reload yet' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    zh: '该交易号已用于另一笔不同的交易',
    en: 'This transaction id was already used for a different transaction',
  },
  POS_TXN_CLOSED: {
    status: 409,
    zh: '该交易号已查询为未入账并已关闭，请用新的交易号重新收款',
    en: 'This transaction id was reported not found and is closed; take the payment again with a new id',
  },
  IMPORT_FILE_UNREADABLE: {
    status: 400,
    zh: '无法读取该文件：请上传 Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK）',
    en: 'The file cannot be read: upload an Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK)',
  },
  IMPORT_FILE_EMPTY: { status: 400, zh: '文件是空的：没有表头行', en: 'The file is empty: there is no header row' },
  IMPORT_FILE_TOO_LARGE: { status: 413, zh: '文件超过 {maxMegabytes} MB：请拆分后分别导入（重复导入是安全的）', en: 'The file is larger than {maxMegabytes} MB: split it (re-importing is safe)' },
  IMPORT_TOO_MANY_ROWS: { status: 400, zh: '每次最多导入 {maxRows} 行：请拆分后分别导入（重复导入是安全的）', en: 'At most {maxRows} rows per import: split the file (re-importing is safe)' },
  IMPORT_COLUMNS_MISSING: { status: 400, zh: '表头缺少必需的列：{columns}', en: 'The header row lacks required columns: {columns}' },
  IMPORT_COLUMN_REPEATED: { status: 400, zh: '表头中列 {column} 出现了两次', en: 'The header row names the column {column} twice' },
  BUSY_RETRY: { status: 503, zh: '系统繁忙，请重试', en: 'The system is busy; please retry' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '数据库暂时不可用，请稍后重试', en: 'The database is unavailable; please retry later' },
  INTERNAL: { status: 500, zh: '系统内部错误', en: 'Internal error' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The `{name}`s of a message template, as a type: '锁定 {minutes} 分钟' → 'minutes'. */
type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type ParamNames<C extends ErrorCode> = Placeholders<(typeof ERRORS)[C]['zh'] | (typeof ERRORS)[C]['en']>;

/** What a code's messages need, e.g. `{ minutes: 30 }` for PASSWORD_LOCKED. */
export type ErrorParams<C extends ErrorCode> = { [Name in ParamNames<C>]: string | number };
export type ErrorParamValues = Readonly<Record<string, string | number>>;
/** The params argument of a raiser: required exactly when the code's messages name any. */
export type ErrorParamsArg<C extends ErrorCode> = [ParamNames<C>] extends [never] ? [params?: ErrorParamValues] : [params: ErrorParams<C>];

/** The `{name}`s of a message template, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}

/** Fills a template; a parameter that was not given stays `{name}` (visible, never invented). */
export function renderMessage(template: string, params: ErrorParamValues = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** Fen as the yuan a message shows: 60000 → "600", 150 → "1.50". */
export function yuanParam(fen: number): string {
  return formatYuan(fen).replace(/\.00$/, '');
}

export interface ErrorBody {
  code: ErrorCode;
  message: { zh: string; en: string };
  /** The values the messages were filled with, so a client's own words can use them too. */
  params?: ErrorParamValues;
  requestId?: string;
  /** Field-level problems for VALIDATION_FAILED: where, and what is wrong (English, for developers). */
  issues?: { path: string; problem: string }[];
}

export function errorBody(code: ErrorCode, extra: Omit<ErrorBody, 'code' | 'message'> = {}): ErrorBody {
  const { zh, en } = ERRORS[code];
  return { code, message: { zh: renderMessage(zh, extra.params), en: renderMessage(en, extra.params) }, ...extra };
}
