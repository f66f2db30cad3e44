/**
 * The single-table key design (docs/data-model.md). Every key is built here and nowhere else.
 *
 *   ACCT#<accountNo>      ACCOUNT            the account and its purses
 *   ACCT#<accountNo>      LEDGER#<ulid>      its ledger entries, time-ordered (history = one Query)
 *   IDEM#<key>            IDEM               idempotency record: request fingerprint + original result
 *   TERMINAL#<id>         TERMINAL           a POS terminal, its merchant and place, its secret
 *   MERCHANT#<id>         MERCHANT           a merchant (gsi1 MERCHANTS → every merchant; a terminal's gsi1 TERMINALS#<merchantId>)
 *   NONCE#<terminal>#<n>  NONCE              a used terminal request nonce (TTL)
 *   ACCT#<accountNo>      CARD#<cardId>      a card of the account (physical or electronic)
 *   CARDUID#<chipUid>     CARDUID            uniqueness of a physical card's chip UID → its card
 *   REFUNDS#<receiptNo>   REFUNDS            how much of a purchase has been refunded
 *   DEVKEY#<keyId>        DEVKEY             a phone's QR signing public key (gsi1 DEVKEY#ACTIVE while active)
 *   BUNDLESNAP            LATEST             the newest offline bundle snapshot's version (format 2 of the offline bundle)
 *   BUNDLESNAP#<version>  META / CHUNK#<n>   one snapshot: its digest and chunks of gzipped rows (≤ 350 KB each, expiresAt after the retention)
 *   QRTOKEN#<tokenId>     QRTOKEN            a QR token already used (TTL)
 *   ACCT#<accountNo>      PASSWORD#<kind>    the query or consumption password (scrypt) and its lockout
 *
 *   gsi1: PERSON#<personId> → account; RECEIPT#<receiptNo> → ledger entry
 *         BANKXFER#DAY#<campusDay> → the kiosk bank transfer intents made that day (the bank statement's other side)
         AUDIT#ACCT#<accountNo> → the action-log entries on that account (on the AUDIT item; the account's history)
 *   OFFLINE#<terminal>#<recordId>  OFFLINE   an uploaded offline POS record and what became of it
 *   CARDLOAD#<loadId>     CARDLOAD           a reservation to write transitional balance onto a CPU card (a pending transfer)
 *   ACCT#<accountNo>      OPENLOAD           the account's one open card-load reservation
 *   ORDER#<orderId>       ORDER              an online top-up order (a pending transfer; gsi2 ORDER#REFUNDING while its refund is owed)
 *   WATER#<accountNo>#<sessionId> WATER    a water session: a small-wallet preload (a pending transfer)
 *   ACCT#<accountNo>      OPENWATER          the account's one open water session
 *   WATERTAP#<terminal>#<tapId> WATERTAP  a settlement terminal's tap: the chip wallet's usage settled and the refill, and the answer
 *   ACCT#<accountNo>      WATERSETTLE#<at>#… the account's chip-wallet settlements (usage check)
 *   ACCT#<accountNo>      WATERUSE#<terminal>#<recordId> a water controller's uploaded usage record (no money)
 *   SYSENTRY#<entryId>    SYSENTRY           a movement between two system accounts (gsi2 and gsi3 SYS#… under both)
 *   NOTIFY#<channel>#<id> NOTIFY             a payment notification already applied (TTL)
 *   STAFF#<username>      STAFF              a card-centre staff account: role, scrypt password, lockout
 *   AUDIT#<campusDay>     <isoTime>#<ulid>   one admin action: who, role, what, on what, why
 *   PERSONID#<personId>   PERSONID           a student/staff id's one account (issued with it, so it is issued once)
 *   COUNTER#ACCOUNTNO     COUNTER            the last account number the card centre handed out
 *   ACCT#<accountNo>      REPLACEMENT        the account's latest replacement request from the app
 *   BANKXFER#<terminal>#<transferId> BANKXFER  a kiosk bank transfer intent (a pending transfer; gsi2 BANKXFER#REVERSING while a reversal is owed)
 *   PAYCODE#<terminal>#<posTxnId> PAYCODE  a WeChat Pay / Alipay payment-code sale at a terminal (a pending transfer: gsi3 PENDING#payment_code while open), or the id's `closed` mark (queried not_found)
 *   FINDING#<findingId>   FINDING            a reconciliation finding (gsi2 FINDING#OPEN while open)
 *   AUDITREPORT#<campusDay> AUDITREPORT     the nightly ledger audit's report of that night
 *   STATEMENT#<merchantId> <kind>#<from>   a merchant's settlement statement of a period (gsi1 STATEMENT#PERIOD#<kind>#<from>; gsi2 STATEMENT#UNPAID while payable)
 *   ACCT#<accountNo>      SEARCH#NAME        the holder's name for the card centre's search (gsi3 HOLDERNAME#<first character>, by name)
 *   ACCT#<accountNo>      SEARCH#MOBILE4     the last 4 digits of the mobile (already in its mask) for the search (gsi3 MOBILE4#<last 4>)
 *   OUTBOX#<sourceId>     OUTBOX             one change's outbox events (a movement E#…, a status change S#…, an automatic reload's order closed unpaid AR#<orderId>), written in its transaction (TTL)
 *   OUTBOXRUN#<eventId>#<subscriber> OUTBOXRUN  an event's claim by a subscriber and its outcome (TTL)
 *   ACCT#<accountNo>      NOTIFYPREFS        the holder's notification preferences, channel and subscriptions
 *   DISPUTE#<receiptNo>   DISPUTE            a holder's dispute of that payment (gsi1 DISPUTES#ACCT#<accountNo>; gsi2 DISPUTE#OPEN or DISPUTE#RESOLVED)
 *   GUARDIANCAP#<channel>#<payerId> DAY#<campusDay>  what one payer has ordered as guardian deposits that day (the daily cap; TTL)
 *   GUARDIANLOOKUP#<subject> GUARDIANLOOKUP  unauthenticated guardian look-ups by one caller (counted like a lockout; TTL)
 *   OUTBOX#L#<accountNo>#<card>#<terminalId>#<bucket> OUTBOX  a lost card's refused tap (gsi1 LOSTTAPS#ACCT#<accountNo>; TTL)
 *   FOUNDCARD#<foundId>   FOUNDCARD          a found card's report (gsi1 FOUNDCARDS#ACCT#<accountNo>; gsi2 FOUNDCARD#OPEN or FOUNDCARD#COLLECTED)
 *   FOUNDREPORTS#<subject> FOUNDREPORTS     found-card reports by one kiosk or holder (counted like a lockout: the rate limit; TTL)
 *   GUARDIANREFUND#<orderId> GUARDIANREFUND  a guardian deposit's refund to its payer: the intent, then refunded (gsi2 GUARDIANREFUND#OPEN until the platform has made it)
 *   ACCT#<accountNo>      AUTORELOAD         the holder's recurring-debit agreement for automatic reload (signing → active → cancelled) and its amount
 *   AGREEMENT#<channel>#<code> AGREEMENT    an agreement's code on the platform → its account (the platform's notifications name the code)
 *   AUTORELOADDAY#<accountNo> DAY#<campusDay>  automatic reloads ordered that day (the daily cap; TTL)
 *
 *   gsi2: SYS#<systemAccount>#<campusDay> → that day's ledger entries naming the system account (e.g. SYS#merchant:<id>:payable#<day>)
 *         BLOCKED#ACCOUNT → accounts that are not active (sparse: the offline blacklist)
 *         BLOCKED#CARD → physical cards that may not pay, by chip UID (sparse: the offline blacklist)
 *         REPLACEMENT#REQUESTED → open replacement requests, oldest first (sparse)
 *         BANKXFER#REVERSING → voided kiosk bank transfers the bank has not confirmed reversed (sparse)
 *         ORDER#REFUNDING → top-up orders whose payment is being given back (sparse)
 *         FINDING#OPEN → reconciliation findings not yet resolved, oldest first (sparse)
 *         WATERUSE#UNSETTLED → accounts with water controller records no settlement has taken, by the oldest (sparse)
         DEVKEYS#<accountNo> → every device key of the account, by registration (on the DEVKEY item; the account's history)
 *
 *   gsi3: SYS#<systemAccount>#<campusDay> → the second system account of system entries (the first is on gsi2)
 *         PENDING#<kind> → pending transfers still pending, by timeout (sparse: the resolvers' work and the audit's check)
 *         HOLDERNAME#<first character> → accounts by holder name; MOBILE4#<last 4> → accounts by the mobile's last digits (the card centre's search)
         FROZEN#ACCOUNT → frozen accounts, by when they were frozen (sparse, on the account item: the reconciliation queue)
 */
export const keys = {
  account: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'ACCOUNT' }),
  ledgerEntry: (accountNo: string, entryId: string) => ({ pk: `ACCT#${accountNo}`, sk: `LEDGER#${entryId}` }),
  ledgerPrefix: 'LEDGER#',
  idempotency: (key: string) => ({ pk: `IDEM#${key}`, sk: 'IDEM' }),
  terminal: (terminalId: string) => ({ pk: `TERMINAL#${terminalId}`, sk: 'TERMINAL' }),
  merchant: (merchantId: string) => ({ pk: `MERCHANT#${merchantId}`, sk: 'MERCHANT' }),
  /** Every merchant in one gsi1 partition (a campus has hundreds, not millions): the card centre's list. */
  merchantListIndex: (merchantId: string) => ({ gsi1pk: 'MERCHANTS', gsi1sk: merchantId }),
  /** A merchant's terminals (gsi1), registered through the card centre. */
  merchantTerminalIndex: (merchantId: string, terminalId: string) => ({ gsi1pk: `TERMINALS#${merchantId}`, gsi1sk: terminalId }),
  nonce: (terminalId: string, nonce: string) => ({ pk: `NONCE#${terminalId}#${nonce}`, sk: 'NONCE' }),
  card: (accountNo: string, cardId: string) => ({ pk: `ACCT#${accountNo}`, sk: `CARD#${cardId}` }),
  cardPrefix: 'CARD#',
  chipUid: (chipUid: string) => ({ pk: `CARDUID#${chipUid}`, sk: 'CARDUID' }),
  refundTotal: (receiptNo: string) => ({ pk: `REFUNDS#${receiptNo}`, sk: 'REFUNDS' }),
  deviceKey: (keyId: number) => ({ pk: `DEVKEY#${keyId}`, sk: 'DEVKEY' }),
  usedQrToken: (tokenId: string) => ({ pk: `QRTOKEN#${tokenId}`, sk: 'QRTOKEN' }),
  password: (accountNo: string, kind: string) => ({ pk: `ACCT#${accountNo}`, sk: `PASSWORD#${kind}` }),
  offlineRecord: (terminalId: string, recordId: string) => ({ pk: `OFFLINE#${terminalId}#${recordId}`, sk: 'OFFLINE' }),
  /** The offline bundle's snapshots (format 2): the newest one's version, and each version's meta and chunks in one partition. */
  bundleSnapshotLatest: () => ({ pk: 'BUNDLESNAP', sk: 'LATEST' }),
  bundleSnapshotMeta: (version: string) => ({ pk: `BUNDLESNAP#${version}`, sk: 'META' }),
  bundleSnapshotChunk: (version: string, n: number) => ({ pk: `BUNDLESNAP#${version}`, sk: `CHUNK#${String(n).padStart(4, '0')}` }),
  cardLoad: (loadId: string) => ({ pk: `CARDLOAD#${loadId}`, sk: 'CARDLOAD' }),
  /** A water session (small-wallet preload, a pending transfer) and the account's one open session. */
  waterSession: (accountNo: string, sessionId: string) => ({ pk: `WATER#${accountNo}#${sessionId}`, sk: 'WATER' }),
  openWaterSession: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'OPENWATER' }),
  /** A settlement terminal's tap (the small wallet on the chip), by the terminal's tap id: the tap's idempotency and its answer. */
  waterWalletTap: (terminalId: string, tapId: string) => ({ pk: `WATERTAP#${terminalId}#${tapId}`, sk: 'WATERTAP' }),
  /** The account's chip-wallet settlements by time (after the ledger: outside the audit's range), for the usage check. */
  waterWalletSettlement: (accountNo: string, settledAt: string, terminalId: string, tapId: string) => ({ pk: `ACCT#${accountNo}`, sk: `WATERSETTLE#${settledAt}#${terminalId}#${tapId}` }),
  waterWalletSettlementPrefix: 'WATERSETTLE#',
  /** A water controller's uploaded usage record, once per controller and record id (no money: the settlement moved it). */
  waterUsage: (accountNo: string, terminalId: string, recordId: string) => ({ pk: `ACCT#${accountNo}`, sk: `WATERUSE#${terminalId}#${recordId}` }),
  waterUsagePrefix: 'WATERUSE#',
  /** The account has controller records no settlement has taken yet (gsi2 WATERUSE#UNSETTLED by the oldest one): the hourly sweep's work. */
  waterUnsettled: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'WATERUNSETTLED' }),
  waterUnsettledIndex: (oldestAt: string, accountNo: string) => ({ gsi2pk: 'WATERUSE#UNSETTLED', gsi2sk: `${oldestAt}#${accountNo}` }),
  openCardLoad: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'OPENLOAD' }),
  staff: (username: string) => ({ pk: `STAFF#${username}`, sk: 'STAFF' }),
  /** Every staff member in one gsi1 partition (a card centre has tens): the administrator's list. */
  staffListIndex: (username: string) => ({ gsi1pk: 'STAFF', gsi1sk: username }),
  /**
   * The card centre's search by name (prefix) and by the mobile's last 4 digits: an item each under the
   * account, indexed on gsi3 (the account item keeps gsi1/gsi2 for the person and the blacklist). A
   * name's partition is its first character, so a prefix is one Query; the digits are the ones the
   * mask shows already, never more of the number (only its digest is kept).
   */
  accountNameSearch: (accountNo: string, name: string) => ({ pk: `ACCT#${accountNo}`, sk: 'SEARCH#NAME', gsi3pk: `HOLDERNAME#${[...name][0] ?? ''}`, gsi3sk: `${name}#${accountNo}` }),
  accountNamePartition: (prefix: string) => `HOLDERNAME#${[...prefix][0] ?? ''}`,
  accountMobileSearch: (accountNo: string, last4: string) => ({ pk: `ACCT#${accountNo}`, sk: 'SEARCH#MOBILE4', gsi3pk: `MOBILE4#${last4}`, gsi3sk: accountNo }),
  accountMobilePartition: (last4: string) => `MOBILE4#${last4}`,
  /** A campus day's admin actions in one partition, in time order (the card centre reads them by day). */
  auditEntry: (campusDay: string, at: string, auditId: string) => ({ pk: `AUDIT#${campusDay}`, sk: `${at}#${auditId}` }),
  auditDay: (campusDay: string) => `AUDIT#${campusDay}`,
  personClaim: (personId: string) => ({ pk: `PERSONID#${personId}`, sk: 'PERSONID' }),
  accountNumberCounter: { pk: 'COUNTER#ACCOUNTNO', sk: 'COUNTER' },
  topupOrder: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  /** A reconciliation finding (a difference with an outside record) for the card centre to resolve. */
  reconciliationFinding: (findingId: string) => ({ pk: `FINDING#${findingId}`, sk: 'FINDING' }),
  /** Sparse: open findings only, oldest first (the card centre's reconciliation queue). */
  openFindingIndex: (createdAt: string, findingId: string) => ({ gsi2pk: 'FINDING#OPEN', gsi2sk: `${createdAt}#${findingId}` }),
  /** Sparse: orders whose payment is being given back and the platform has not finished the refund. */
  refundingOrderIndex: (createdAt: string, orderId: string) => ({ gsi2pk: 'ORDER#REFUNDING', gsi2sk: `${createdAt}#${orderId}` }),
  /** A WeChat openid or Alipay user id bound to an account (sign-in from the mini-program). */
  platformIdentity: (platform: string, platformUserId: string) => ({ pk: `IDENTITY#${platform}#${platformUserId}`, sk: 'IDENTITY' }),
  /** One change's outbox events (domain/outbox.ts), written with the change; the stream's filter matches sk OUTBOX. */
  outbox: (sourceId: string) => ({ pk: `OUTBOX#${sourceId}`, sk: 'OUTBOX' }),
  /** One event's claim by one subscriber (claimed → sent | skipped | refused | failed): at most once. */
  outboxDelivery: (eventId: string, subscriber: string) => ({ pk: `OUTBOXRUN#${eventId}#${subscriber}`, sk: 'OUTBOXRUN' }),
  /** The holder's notification preferences and where to send them (their WeChat openid / Alipay user id, subscriptions). */
  notificationPrefs: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'NOTIFYPREFS' }),
  bindingAttempts: (personId: string) => ({ pk: `BINDATTEMPT#${personId}`, sk: 'BINDATTEMPT' }),
  /** H5 sign-in tries on a student/staff id with no password to check (unknown id): it locks like a real one. */
  signInAttempts: (personId: string) => ({ pk: `SIGNINATTEMPT#${personId}`, sk: 'SIGNINATTEMPT' }),
  /** Kiosk tries on a chip UID or account number with no password to check (unknown, void, no password): they lock like a real card's. */
  kioskAttempts: (subject: string) => ({ pk: `KIOSKATTEMPT#${subject}`, sk: 'KIOSKATTEMPT' }),
  /** Guardian deposits (issue 18): one payer's deposits of a campus day, the look-ups one caller made, and a deposit's refund to its payer. */
  guardianCap: (channel: string, payerId: string, campusDay: string) => ({ pk: `GUARDIANCAP#${channel}#${payerId}`, sk: `DAY#${campusDay}` }),
  guardianLookupAttempts: (subject: string) => ({ pk: `GUARDIANLOOKUP#${subject}`, sk: 'GUARDIANLOOKUP' }),
  guardianRefund: (orderId: string) => ({ pk: `GUARDIANREFUND#${orderId}`, sk: 'GUARDIANREFUND' }),
  autoReload: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'AUTORELOAD' }),
  agreementCode: (channel: string, code: string) => ({ pk: `AGREEMENT#${channel}#${code}`, sk: 'AGREEMENT' }),
  autoReloadDay: (accountNo: string, campusDay: string) => ({ pk: `AUTORELOADDAY#${accountNo}`, sk: `DAY#${campusDay}` }),
  guardianRefundOpenIndex: (requestedAt: string, orderId: string) => ({ gsi2pk: 'GUARDIANREFUND#OPEN', gsi2sk: `${requestedAt}#${orderId}` }),
  paymentNotification: (channel: string, notificationId: string) => ({ pk: `NOTIFY#${channel}#${notificationId}`, sk: 'NOTIFY' }),
  personIndex: (personId: string) => ({ gsi1pk: `PERSON#${personId}`, gsi1sk: 'ACCOUNT' }),
  receiptIndex: (receiptNo: string) => ({ gsi1pk: `RECEIPT#${receiptNo}`, gsi1sk: 'LEDGER' }),
  /** Sparse: only frozen accounts carry it (gsi3, by when they were frozen): the reconciliation queue's frozen accounts. */
  frozenAccountIndex: (frozenAt: string, accountNo: string) => ({ gsi3pk: 'FROZEN#ACCOUNT', gsi3sk: `${frozenAt}#${accountNo}` }),
  frozenAccountPartition: 'FROZEN#ACCOUNT',
  /** An action-log entry on an account (target `account:<no>`), also by that account (gsi1, on the same item): the account's history. */
  accountActionIndex: (accountNo: string, at: string, auditId: string) => ({ gsi1pk: `AUDIT#ACCT#${accountNo}`, gsi1sk: `${at}#${auditId}` }),
  accountActionPartition: (accountNo: string) => `AUDIT#ACCT#${accountNo}`,
  /** Every device key of an account, revoked ones too (gsi2 on the key's own item, never removed): the account's history. */
  accountDeviceKeyIndex: (accountNo: string, createdAt: string, keyId: number) => ({ gsi2pk: `DEVKEYS#${accountNo}`, gsi2sk: `${createdAt}#${keyId}` }),
  /** Every device key by the UTC hour it was registered (gsi3, on the key's own item): the keys newer than the offline bundle's snapshot, sent live. */
  newDeviceKeyIndex: (createdAt: string, keyId: number) => ({ gsi3pk: `DEVKEY#NEW#${createdAt.slice(0, 13)}`, gsi3sk: `${createdAt}#${keyId}` }),
  accountDeviceKeyPartition: (accountNo: string) => `DEVKEYS#${accountNo}`,
  /** Sparse: only accounts that are not active (lost, frozen, cancelled, expired) carry it: the offline blacklist. */
  blockedAccountIndex: (accountNo: string) => ({ gsi2pk: 'BLOCKED#ACCOUNT', gsi2sk: accountNo }),
  /** Sparse: every card item that may not pay (lost, replaced, cancelled): the chip UIDs of the offline blacklist. */
  blockedCardIndex: (chipUid: string) => ({ gsi2pk: 'BLOCKED#CARD', gsi2sk: chipUid }),
  replacementRequest: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'REPLACEMENT' }),
  /** What a closing holds back for offline terminals, until it is settled (gsi2 HOLDBACK#OPEN, by its end). */
  holdback: (accountNo: string) => ({ pk: `ACCT#${accountNo}`, sk: 'HOLDBACK' }),
  openHoldbackIndex: (holdbackUntil: string, accountNo: string) => ({ gsi2pk: 'HOLDBACK#OPEN', gsi2sk: `${holdbackUntil}#${accountNo}` }),
  /** Sparse: only open requests carry it, so the card centre's list is one Query. */
  openReplacementIndex: (requestedAt: string, accountNo: string) => ({ gsi2pk: 'REPLACEMENT#REQUESTED', gsi2sk: `${requestedAt}#${accountNo}` }),
  openReplacementPartition: 'REPLACEMENT#REQUESTED',
  bankTransfer: (terminalId: string, transferId: string) => ({ pk: `BANKXFER#${terminalId}#${transferId}`, sk: 'BANKXFER' }),
  /** Sparse: voided bank transfers the bank has not confirmed reversed yet, oldest first, for the reconciler. */
  reversingBankTransferIndex: (createdAt: string, terminalId: string, transferId: string) => ({ gsi2pk: 'BANKXFER#REVERSING', gsi2sk: `${createdAt}#${terminalId}#${transferId}` }),
  /** Every intent by the campus day it was made (gsi1, never removed): what that day's bank statement is checked against. */
  bankTransferDayIndex: (campusDay: string, createdAt: string, terminalId: string, transferId: string) => ({ gsi1pk: `BANKXFER#DAY#${campusDay}`, gsi1sk: `${createdAt}#${terminalId}#${transferId}` }),
  /** The nightly ledger audit's report (one per campus day; a re-run that night replaces it). */
  auditReport: (campusDay: string) => ({ pk: `AUDITREPORT#${campusDay}`, sk: 'AUDITREPORT' }),
  /** The sort keys of the items the ledger audit scans for (accounts and the pending things outside them). */
  auditScannedKinds: ['ACCOUNT', 'ORDER', 'BANKXFER', 'CARDLOAD', 'OFFLINE', 'QRTOKEN', 'SYSENTRY'] as const,
  /** Sort-key bounds of an account's cards, holdback and ledger (one Query, in key order). */
  accountAuditRange: { low: 'CARD#', high: 'LEDGER#~' },
  /**
   * A ledger entry by the one system account its transfers name and its campus day (a merchant's
   * payable, a clearing account, fee income...): a system account's day is one Query, with no
   * counter item that every payment would update.
   */
  systemAccountDayIndex: (systemAccount: string, campusDay: string, entryId: string) => ({
    gsi2pk: `SYS#${systemAccount}#${campusDay}`,
    gsi2sk: entryId,
  }),
  /** The same for the second system account of an entry that names two (system entries): gsi3. */
  secondSystemAccountDayIndex: (systemAccount: string, campusDay: string, entryId: string) => ({
    gsi3pk: `SYS#${systemAccount}#${campusDay}`,
    gsi3sk: entryId,
  }),
  /** A movement between two system accounts (no holder): its own partition, so no item is shared by two writers. */
  systemEntry: (entryId: string) => ({ pk: `SYSENTRY#${entryId}`, sk: 'SYSENTRY' }),
  /**
   * Sparse: pending transfers (functions/domain/pending.ts) still pending, by kind and timeout, so
   * the one resolver finds the due ones of each kind oldest first; removed when resolved.
   */
  /** A network-fee week paid by the account: one item per ISO week, put with the money on condition it does not exist (never paid twice). */
  networkWeek: (accountNo: string, week: string) => ({ pk: `ACCT#${accountNo}`, sk: `NETWEEK#${week}` }),
  networkWeekPrefix: 'NETWEEK#',
  /** A utility payment's delivery to the outside system (a pending `utility_delivery`: the outbox). */
  utilityDelivery: (deliveryId: string) => ({ pk: `UTILDELIVERY#${deliveryId}`, sk: 'UTILDELIVERY' }),
  /** The account's utility deliveries, by time, never removed (the app's list). */
  utilityDeliveryAccountIndex: (accountNo: string, createdAt: string, deliveryId: string) => ({ gsi1pk: `UTILDELIVERY#ACCT#${accountNo}`, gsi1sk: `${createdAt}#${deliveryId}` }),
  openPendingIndex: (kind: string, timeoutAt: string, id: string) => ({ gsi3pk: `PENDING#${kind}`, gsi3sk: `${timeoutAt}#${id}` }),
  /** A sale paid with the payer's own WeChat Pay / Alipay payment code at a terminal, by the terminal's posTxnId. */
  paymentCodeSale: (terminalId: string, posTxnId: string) => ({ pk: `PAYCODE#${terminalId}#${posTxnId}`, sk: 'PAYCODE' }),
  /** A merchant's settlement statement of one period (written once, at the close): a merchant's statements are one Query. */
  statement: (merchantId: string, periodKind: string, from: string) => ({ pk: `STATEMENT#${merchantId}`, sk: `${periodKind}#${from}` }),
  statementPartition: (merchantId: string) => `STATEMENT#${merchantId}`,
  /** Every merchant's statement of one period (gsi1): finance's export of a week across merchants. */
  statementPeriodIndex: (periodKind: string, from: string, merchantId: string) => ({ gsi1pk: `STATEMENT#PERIOD#${periodKind}#${from}`, gsi1sk: merchantId }),
  /** Sparse: statements closed with money to pay and not yet paid, oldest period first (finance's payout queue). */
  unpaidStatementIndex: (to: string, statementId: string) => ({ gsi2pk: 'STATEMENT#UNPAID', gsi2sk: `${to}#${statementId}` }),
  unpaidStatementPartition: 'STATEMENT#UNPAID',
  /** A holder's dispute of one payment, by its receipt: one per payment, so a conditional put makes concurrent raises one. */
  dispute: (receiptNo: string) => ({ pk: `DISPUTE#${receiptNo}`, sk: 'DISPUTE' }),
  /** The holder's disputes, newest first (gsi1, on the dispute item): "my disputes" is one Query. */
  accountDisputeIndex: (accountNo: string, createdAt: string, receiptNo: string) => ({ gsi1pk: `DISPUTES#ACCT#${accountNo}`, gsi1sk: `${createdAt}#${receiptNo}` }),
  accountDisputePartition: (accountNo: string) => `DISPUTES#ACCT#${accountNo}`,
  /** Disputes by where they stand (gsi2, moved at resolution): open ones by when raised, resolved ones by when resolved. Tens a day, never per payment. */
  disputeStateIndex: (state: 'open' | 'resolved', at: string, receiptNo: string) => ({ gsi2pk: `DISPUTE#${state.toUpperCase()}`, gsi2sk: `${at}#${receiptNo}` }),
  disputeStatePartition: (state: 'open' | 'resolved') => `DISPUTE#${state.toUpperCase()}`,
  /** A lost card's refused taps, newest first (gsi1, on the tap's own outbox item): the holder's card page is one Query. */
  lostTapIndex: (accountNo: string, at: string, sourceId: string) => ({ gsi1pk: `LOSTTAPS#ACCT#${accountNo}`, gsi1sk: `${at}#${sourceId}` }),
  lostTapPartition: (accountNo: string) => `LOSTTAPS#ACCT#${accountNo}`,
  /** A found card's report (issue 18 lost and found). */
  foundCard: (foundId: string) => ({ pk: `FOUNDCARD#${foundId}`, sk: 'FOUNDCARD' }),
  accountFoundCardIndex: (accountNo: string, at: string, foundId: string) => ({ gsi1pk: `FOUNDCARDS#ACCT#${accountNo}`, gsi1sk: `${at}#${foundId}` }),
  accountFoundCardPartition: (accountNo: string) => `FOUNDCARDS#ACCT#${accountNo}`,
  /** Found cards by where they stand (gsi2, moved at collection), newest first. Tens a week. */
  foundCardStateIndex: (state: 'open' | 'collected', at: string, foundId: string) => ({ gsi2pk: `FOUNDCARD#${state.toUpperCase()}`, gsi2sk: `${at}#${foundId}` }),
  foundCardStatePartition: (state: 'open' | 'collected') => `FOUNDCARD#${state.toUpperCase()}`,
  /** Found-card reports by one kiosk or holder: the rate limit's counter (store/attempt-counter.ts). */
  foundCardReports: (subject: string) => ({ pk: `FOUNDREPORTS#${subject}`, sk: 'FOUNDREPORTS' }),
} as const;

/**
 * The index keys of an entry by the system accounts it names (at most two): the first on gsi2, the
 * second on gsi3, both `SYS#<account>#<campusDay>`.
 */
export function systemAccountIndexes(named: readonly string[], campusDay: string, entryId: string): Record<string, string> {
  if (named.length > 2) throw new Error(`entry ${entryId} names ${named.length} system accounts (${named.join(', ')}); at most two are indexed`);
  return {
    ...(named[0] !== undefined ? keys.systemAccountDayIndex(named[0], campusDay, entryId) : {}),
    ...(named[1] !== undefined ? keys.secondSystemAccountDayIndex(named[1], campusDay, entryId) : {}),
  };
}

/** Strips the storage keys from an item read back. */
export function withoutKeys<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi3pk' | 'gsi3sk' | 'expiresAt'> {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _f, gsi3sk: _g, expiresAt: _e, ...rest } = item;
  return rest;
}

/**
 * The parts of an UpdateExpression that set an account's status, log the change with its time, and
 * keep the blocked-accounts index (the offline blacklist) in step with it: every status change goes
 * through here.
 */
export function accountStatusUpdate(
  accountNo: string,
  status: string,
  at: string,
  change?: StatusChangeWho,
): {
  set: string;
  remove?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names = { '#status': 'status', '#statusLog': 'statusLog' };
  const logged = { ':status': status, ':statusChange': [{ status, at, ...statusChangeWho(change) }], ':noChanges': [] };
  const set = '#status = :status, #statusLog = list_append(if_not_exists(#statusLog, :noChanges), :statusChange)';
  // Leaving frozen leaves the frozen-accounts index (gsi3) too; an account item carries no other gsi3 key.
  if (status === 'active') return { set, remove: 'gsi2pk, gsi2sk, gsi3pk, gsi3sk, frozenReason', names, values: logged };
  const blocked = keys.blockedAccountIndex(accountNo);
  const frozen = status === 'frozen' ? keys.frozenAccountIndex(at, accountNo) : undefined;
  return {
    set: `${set}, gsi2pk = :blockedPk, gsi2sk = :blockedSk${frozen ? ', gsi3pk = :frozenPk, gsi3sk = :frozenSk, frozenReason = :frozenReason' : ''}`,
    ...(frozen ? {} : { remove: 'gsi3pk, gsi3sk, frozenReason' }),
    names,
    values: {
      ...logged,
      ':blockedPk': blocked.gsi2pk,
      ':blockedSk': blocked.gsi2sk,
      ...(frozen ? { ':frozenPk': frozen.gsi3pk, ':frozenSk': frozen.gsi3sk, ':frozenReason': change?.reason ?? 'unrecorded' } : {}),
    },
  };
}

/**
 * Who made a status change (account or card), kept on its status-log item: a staff username,
 * `holder` (the mini-program, a kiosk), or `system` (a terminal's finding, a scheduled run); `from`
 * the status before; `reason` the staff member's words or a code. Items logged before this have none.
 */
export interface StatusChangeWho {
  by: string;
  from?: string;
  reason?: string;
  feeFen?: number;
}

function statusChangeWho(change: StatusChangeWho | undefined): Partial<StatusChangeWho> {
  if (!change) return {};
  return {
    by: change.by,
    ...(change.from !== undefined ? { from: change.from } : {}),
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    ...(change.feeFen !== undefined ? { feeFen: change.feeFen } : {}),
  };
}

/**
 * The same for a card: its status, the logged change, and the blocked-cards index (a card that may
 * not pay stays on the offline blacklist for as long as it is blocked; a replaced or cancelled card
 * for ever, so no bundle can ever take it again).
 */
export function cardStatusUpdate(card: { accountNo: string; cardId: string; chipUid?: string | undefined }, status: string, at: string, change?: StatusChangeWho): {
  Key: Record<string, string>;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const blocked = status !== 'active' && card.chipUid !== undefined ? keys.blockedCardIndex(card.chipUid) : undefined;
  return {
    Key: keys.card(card.accountNo, card.cardId),
    UpdateExpression:
      'SET #status = :cardStatus, #statusLog = list_append(if_not_exists(#statusLog, :noChanges), :cardChange)' +
      (blocked ? ', gsi2pk = :blockedCardPk, gsi2sk = :blockedCardSk' : status === 'active' ? ' REMOVE gsi2pk, gsi2sk' : ''),
    ExpressionAttributeNames: { '#status': 'status', '#statusLog': 'statusLog' },
    ExpressionAttributeValues: {
      ':cardStatus': status,
      ':cardChange': [{ status, at, ...statusChangeWho(change) }],
      ':noChanges': [],
      ...(blocked ? { ':blockedCardPk': blocked.gsi2pk, ':blockedCardSk': blocked.gsi2sk } : {}),
    },
  };
}
