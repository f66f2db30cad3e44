import { createHash } from 'node:crypto';

/** A stable hash of what a request asks for (key order does not matter), for idempotency checks. */
export function fingerprint(request: Record<string, string | number | boolean | null>): string {
  const canonical = JSON.stringify(Object.keys(request).sort().map((key) => [key, request[key]]));
  return createHash('sha256').update(canonical).digest('base64url');
}
