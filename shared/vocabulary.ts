/** The campus card's words, shared by the server and the mini-program: one list each. */
export const CARD_TYPES = ['staff', 'student', 'employee', 'temporary', 'merchant', 'family'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const ACCOUNT_STATUSES = ['active', 'lost', 'frozen', 'cancelled', 'expired'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const CARD_KINDS = ['cpu', 'm1', 'electronic'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export const CARD_STATUSES = ['active', 'lost', 'replaced', 'cancelled'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export const MOVEMENT_TYPES = [
  'topup',
  'purchase',
  'refund',
  'fee',
  'adjustment',
  'transitional_credit',
  'card_load',
  'transitional_release',
  'small_wallet_preload',
  'small_wallet_settle',
  'cancellation_refund',
  'levelling',
  'closing_settlement',
  /** A utility bill paid from the balance (network fee, dormitory electricity): 缴费. */
  'utility_payment',
  /** A guardian deposit given back to its payer's WeChat Pay / Alipay by the card centre (issue 18): out of the balance to the platform's clearing. */
  'deposit_refund',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/** Merchants: what they sell (the gate and kiosk categories are the card centre's own places), how often they are settled, whether they may trade. */
export const MERCHANT_CATEGORIES = ['canteen', 'shop', 'water', 'shower', 'clinic', 'library', 'bus', 'utility', 'department', 'gate', 'kiosk'] as const;
export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];
/** What a holder's spending is grouped by in the mini-program (a merchant's category, or a utility bill): 消费分析. */
export const SPENDING_CATEGORIES = ['canteen', 'shop', 'water', 'utilities', 'other'] as const;
export type SpendingCategory = (typeof SPENDING_CATEGORIES)[number];
export const SETTLEMENT_PERIODS = ['weekly', 'daily', 'monthly'] as const;
export type SettlementPeriod = (typeof SETTLEMENT_PERIODS)[number];
export const MERCHANT_STATUSES = ['active', 'suspended'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

/** Terminals: what kind of device, and where it is in its life (no secret until activated). */
export const TERMINAL_KINDS = ['pos', 'gate', 'water', 'kiosk'] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];
export const TERMINAL_STATUSES = ['pending_activation', 'active', 'disabled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/**
 * Who refunded a purchase, and why: the terminal that took it (same day), the card centre later, or
 * the card centre taking a duplicate charge the system made back out of the merchant's settlement.
 */
export const REFUND_CAUSES = ['terminal', 'card_centre', 'duplicate_charge', 'dispute', 'guardian_deposit'] as const;
export type RefundCause = (typeof REFUND_CAUSES)[number];

/** What made a top-up other than the holder paying by hand: an automatic reload (issue 18; docs/auto-reload.md). */
export const TOPUP_TRIGGERS = ['auto_reload'] as const;
export type TopupTrigger = (typeof TOPUP_TRIGGERS)[number];

/** A holder's dispute of a charge (issue 18): why they dispute it, and where it stands. */
export const DISPUTE_REASONS = ['charged_twice', 'wrong_amount', 'not_received', 'not_me', 'other'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export const DISPUTE_STATUSES = ['submitted', 'refunded', 'refused'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Identity documents: the resident ID card, or a passport (foreign staff and students; Hong Kong, Macau and Taiwan permits too). */
export const ID_TYPES = ['id_card', 'passport'] as const;
export type IdTypeName = (typeof ID_TYPES)[number];

/**
 * Card-centre staff: card operators run the counter (cards, money), finance the settlement (statements,
 * payouts, merchants' fees), administrators everything (policy, staff too), auditors read only.
 */
export const STAFF_ROLES = ['operator', 'finance', 'administrator', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Roles older records may still hold, read as today's (the supervisor became the administrator). */
export const LEGACY_STAFF_ROLES: Readonly<Record<string, StaffRole>> = { supervisor: 'administrator' };

/** How an import list was read: csv-text is the request's csv field; the others are the file field's bytes. */
export const IMPORT_FILE_FORMATS = ['csv-text', 'xlsx', 'csv-utf8', 'csv-utf8-bom', 'csv-gbk'] as const;
export type ImportFileFormat = (typeof IMPORT_FILE_FORMATS)[number];

/** What the card centre's action log records (each staff action, who and why). */
export const ACTION_LOG_ACTIONS = [
  'session.start',
  'session.refused',
  'import',
  'account.issue',
  'account.update',
  'account.view',
  'card.issue',
  'card.replace',
  'password.reset',
  'account.unfreeze',
  'auto_reload.cancel',
  'account.loss',
  'balance.adjust',
  'transitional.release',
  'account.terminate',
  'account.level',
  'policy.update',
  'finding.resolve',
  'offline_hold.resolve',
  'merchant.create',
  'merchant.update',
  'merchant.suspend',
  'merchant.reactivate',
  'merchant.account_check',
  'terminal.register',
  'terminal.activation_code',
  'terminal.disable',
  'refund.card_centre',
  'refund.duplicate_charge',
  'refund.guardian_deposit',
  'dispute.refund',
  'dispute.refuse',
  'found_card.collect',
  'statement.payout',
  'statement.close',
  'staff.create',
  'staff.disable',
] as const;
export type ActionLogAction = (typeof ACTION_LOG_ACTIONS)[number];

/**
 * Reconciliation findings: who found it (the outside record it was checked against) and what kind
 * of difference it is. Later finders (bank statement, offline records, card loads) add their own.
 */
export const FINDING_SOURCES = ['wechat_bill', 'alipay_bill', 'bank_statement', 'water_usage', 'offline_upload'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];
export const FINDING_KINDS = [
  /** We credited a payment that the platform's bill of its day does not have. */
  'missing_from_bill',
  /** The bill and our order disagree on the amount. */
  'amount_mismatch',
  /** The bill has a payment we have no order for (or another payment under one of our orders). */
  'unknown_payment',
  /** The bill has a refund we never asked for. */
  'unknown_refund',
  /** We credited a kiosk bank transfer that the bank's statement of its day does not have (or its reversal is missing). */
  'missing_from_statement',
  /** The bank's statement has a line for no transfer of ours (or a second debit under one). */
  'unknown_bank_line',
  /** The bank's statement gives back a transfer we credited to the campus account. */
  'reversal_of_credited',
  /** The bank's statement debits a transfer we recorded as refused or expired (never debited). */
  'debit_without_transfer',
  /** Water controllers' records of a chip between two settlements sum to more than the later settlement took from its wallet. */
  'water_usage_above_settled',
  /** Water controllers' records of a chip that no settlement has taken, a day after (the merchant is not paid for them). */
  'water_usage_not_settled',
  /** An offline POS record held, not charged (a lost or void card, a balance short, a token used twice...): the merchant's claim waits for the card centre. */
  'offline_record_held',
  /** An offline POS record that names no account we can charge (an unknown card, a forged code): the merchant's claim waits for the card centre. */
  'offline_record_rejected',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
/** How the card centre settled a finding: it posted an adjustment, the money was refunded, or nothing was owed. */
export const FINDING_RESOLUTIONS = ['adjusted', 'refunded', 'no_action'] as const;
export type FindingResolution = (typeof FINDING_RESOLUTIONS)[number];

/** Who ended an automatic-reload agreement (docs/auto-reload.md): the holder in the app, the platform (its notice), or card-centre staff. */
export const AGREEMENT_CANCELLERS = ['holder', 'platform', 'card_centre'] as const;
export type AgreementCanceller = (typeof AGREEMENT_CANCELLERS)[number];
