/** The activation code a terminal types once: shared by the contract (its shape) and the server (its hash). */

/** 16 characters of Crockford base32 (80 bits), shown in groups of four: K7QM-3XTR-9BWD-2HFN. */
export const ACTIVATION_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** What a typed code means: case, spaces and dashes do not matter, and O/I/L read as 0/1/1 (Crockford). */
export function normalizeActivationCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}
