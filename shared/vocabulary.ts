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
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/** Identity documents: the resident ID card, or a passport (foreign staff and students; Hong Kong, Macau and Taiwan permits too). */
export const ID_TYPES = ['id_card', 'passport'] as const;
export type IdTypeName = (typeof ID_TYPES)[number];

/** Card-centre staff: operators run the counter; supervisors also change campus policy and read the audit log. */
export const STAFF_ROLES = ['operator', 'supervisor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** What the admin audit log records. */
export const AUDIT_ACTIONS = [
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
  'balance.adjust',
  'transitional.release',
  'account.terminate',
  'account.level',
  'policy.update',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
