/**
 * The terminal's own ids for a request (tapId, transferId, replacementId, recordId): time first, so
 * they sort by when they were made, then 80 random bits. getRandomValues, not randomUUID: a terminal
 * served over plain http on a campus network is not a secure context.
 */
export function newTerminalId(prefix: string): string {
  const random = crypto.getRandomValues(new Uint8Array(10));
  return `${prefix}${Date.now().toString(36).toUpperCase()}${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}
