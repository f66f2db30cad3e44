/**
 * Personal identity data: ID numbers and mobile numbers are never stored or returned in full.
 * The account keeps a masked form (for people) and a keyed digest (HMAC-SHA256 with the service's
 * secret) so binding can check what the holder types without the database holding the number.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type IdType = 'id_card' | 'passport';

/** Upper-case, no spaces: "11010519900307123x " and "11010519900307123X" are the same person. */
export function normalizeIdNumber(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

function digest(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\n${value}`).digest('base64url');
}

export function idNumberDigest(secret: string, idNumber: string): string {
  return digest(secret, 'id-number', normalizeIdNumber(idNumber));
}

export function mobileDigest(secret: string, mobile: string): string {
  return digest(secret, 'mobile', mobile.replace(/[\s-]/g, '').replace(/^\+?86/, ''));
}

export function digestsEqual(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * "110105199003071234" → "110105************": only the region code. Nothing of the end is shown,
 * because the default password is made of the last six digits; a passport shows its first 2 only.
 */
export function maskIdNumber(idNumber: string): string {
  const id = normalizeIdNumber(idNumber);
  const shown = id.length === 18 ? 6 : Math.min(2, Math.max(0, id.length - 4));
  return `${id.slice(0, shown)}${'*'.repeat(id.length - shown)}`;
}

/** "13812345678" → "138****5678". */
export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, '').replace(/^86(?=\d{11}$)/, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}

/** A valid 18-character PRC resident ID number (GB 11643 check character). */
export function isValidIdCardNumber(idNumber: string): boolean {
  const id = normalizeIdNumber(idNumber);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...id.slice(0, 17)].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return '10X98765432'[sum % 11] === id[17];
}
