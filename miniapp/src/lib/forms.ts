/**
 * Form checks before a request is sent, by the same zod contract the server validates with, so the
 * app and the server can never disagree on what is valid; the app only adds words for people.
 */
import { bindingRequest, changePasswordBody, dailyLimitBody } from '@shared/api/lifecycle';
import { parseYuan } from '@shared/money';
import type { BindingRequest, HolderPolicy } from './api';
import type { TextKey } from './i18n';

export type FieldErrors<Field extends string> = Partial<Record<Field, TextKey>>;

export type BindingField = 'personId' | 'cardPassword' | 'idType' | 'idNumber' | 'mobile';

const BINDING_WORDS: Record<BindingField, TextKey> = {
  personId: 'bind.invalid.personId',
  cardPassword: 'bind.invalid.cardPassword',
  idType: 'bind.invalid.idNumber',
  idNumber: 'bind.invalid.idNumber',
  mobile: 'bind.invalid.mobile',
};

/** The binding form, trimmed and upper-cased where people type loosely (an ID card's X). */
export function checkBinding(form: Record<BindingField, string>, bindingToken?: string): { ok: true; request: BindingRequest } | { ok: false; errors: FieldErrors<BindingField> } {
  const request = {
    ...(bindingToken ? { bindingToken } : {}),
    personId: form.personId.trim(),
    cardPassword: form.cardPassword.trim(),
    idType: form.idType,
    idNumber: form.idNumber.trim().toUpperCase(),
    mobile: form.mobile.replace(/[\s-]/g, ''),
  };
  const parsed = bindingRequest.safeParse(request);
  if (parsed.success) return { ok: true, request: parsed.data as BindingRequest };
  const errors: FieldErrors<BindingField> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as BindingField;
    if (field in BINDING_WORDS) errors[field] ??= BINDING_WORDS[field];
  }
  return { ok: false, errors };
}

export type PasswordField = 'oldPassword' | 'newPassword' | 'confirmPassword';

export function checkPasswordChange(form: Record<PasswordField, string>): { ok: true } | { ok: false; errors: FieldErrors<PasswordField> } {
  const errors: FieldErrors<PasswordField> = {};
  const parsed = changePasswordBody.safeParse({ oldPassword: form.oldPassword, newPassword: form.newPassword });
  if (!parsed.success) for (const issue of parsed.error.issues) errors[issue.path[0] as PasswordField] ??= 'form.sixDigits';
  if (!errors.newPassword && form.newPassword !== form.confirmPassword) errors.confirmPassword = 'settings.mismatch';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true };
}

/** A student/staff id as sign-in and binding take it. */
export function isPersonId(text: string): boolean {
  return bindingRequest.shape.personId.safeParse(text.trim()).success;
}

/** A six-digit password field (loss report, unfreeze, daily limit). */
export function isSixDigits(text: string): boolean {
  return changePasswordBody.shape.newPassword.safeParse(text).success;
}

/** The daily limit as typed, in whole yuan, to fen; undefined when not whole or above the campus's maximum (from the account view). */
export function parseDailyLimit(text: string, policy: Pick<HolderPolicy, 'maxDailyLimitFen'>): number | undefined {
  if (!/^\d{1,6}$/.test(text.trim())) return undefined;
  const fen = Number(text.trim()) * 100;
  if (fen > policy.maxDailyLimitFen) return undefined;
  return dailyLimitBody.shape.dailyLimitFen.safeParse(fen).success ? fen : undefined;
}

/** Top-up chips, in fen. */
export const TOPUP_CHIPS_FEN = [2_000, 5_000, 10_000, 20_000] as const;

/** A custom top-up amount in yuan (up to 2 decimals) to fen, within the online range the account view gives; undefined if not. */
export function parseTopupAmount(text: string, policy: Pick<HolderPolicy, 'onlineTopupMinFen' | 'onlineTopupMaxFen'>): number | undefined {
  let fen: number;
  try {
    fen = parseYuan(text.trim());
  } catch {
    return undefined;
  }
  return fen >= policy.onlineTopupMinFen && fen <= policy.onlineTopupMaxFen ? fen : undefined;
}
