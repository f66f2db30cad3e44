/**
 * The core both utility fakes share (functions/local/fake-network.ts, fake-electricity.ts): a signed
 * JSON server on 127.0.0.1 (functions/payments/utility-system.ts) that remembers every delivery id
 * and its answer, so a repeat is answered as the first time and credits nothing again, and bars an
 * id on cancel. Tests can take it down, make it lose its next answer (the work done, the connection
 * dropped) or answer late, and count what it credited.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureMatches, utilitySignature, type DeliveryState, type UtilitySystemConfig } from '../payments/utility-system';

/** One delivery id as the system remembers it. */
export interface FakeDelivery {
  deliveryId: string;
  state: DeliveryState['state'];
  /** The request as first received (absent for an id barred before it arrived). */
  request?: Record<string, unknown>;
  systemRef?: string;
  reason?: string;
  at: string;
}

/**
 * - `drop`: the work is done, then the connection is cut before the answer (a lost answer);
 * - `late`: the work is done and answered after `delayMs`;
 * - `down`: 503 without doing anything.
 */
export type FakeUtilityFault = { kind: 'drop' } | { kind: 'late'; delayMs: number } | { kind: 'down' };

export interface FakeUtilitySystem {
  config: UtilitySystemConfig;
  /** Down for every call until `up()` (503, nothing done). */
  down(): void;
  up(): void;
  /** The next `times` calls to `path` (e.g. '/recharges') meet the fault. */
  injectFault(path: string, fault: FakeUtilityFault, times?: number): void;
  /** Every delivery id it remembers (copies). */
  deliveries(): FakeDelivery[];
  /** How many requests reached `path` while up (repeats included). */
  calls(path: string): number;
  close(): Promise<void>;
}

export interface FakeUtilityOptions {
  /** Answers a lookup path (`/rooms/query`): the status field. */
  lookups: Record<string, (payload: Record<string, unknown>) => Record<string, unknown>>;
  deliverPath: string;
  cancelPath: string;
  /** Accepts a new delivery or says why not (a rejection reason). */
  decide: (payload: Record<string, unknown>) => { accept: true } | { accept: false; reason: string };
  refPrefix: string;
}

export async function startFakeUtilitySystem(options: FakeUtilityOptions): Promise<FakeUtilitySystem> {
  const apiKey = randomBytes(24).toString('base64url');
  const deliveries = new Map<string, FakeDelivery>();
  const counts = new Map<string, number>();
  const armed: { path: string; fault: FakeUtilityFault; times: number }[] = [];
  let isDown = false;
  let seq = 0;

  const stateOf = (d: FakeDelivery): DeliveryState =>
    d.state === 'delivered' ? { state: 'delivered', systemRef: d.systemRef! } : d.state === 'rejected' ? { state: 'rejected', reason: d.reason! } : { state: 'cancelled' };

  function deliver(payload: Record<string, unknown>): DeliveryState {
    const id = String(payload.deliveryId ?? '');
    const seen = deliveries.get(id);
    // Idempotent on the delivery id: the original answer, nothing credited again.
    if (seen) return stateOf(seen);
    const decision = options.decide(payload);
    const at = new Date().toISOString();
    const record: FakeDelivery = decision.accept
      ? { deliveryId: id, state: 'delivered', request: payload, systemRef: `${options.refPrefix}${Date.now()}${String(++seq).padStart(6, '0')}`, at }
      : { deliveryId: id, state: 'rejected', request: payload, reason: decision.reason, at };
    deliveries.set(id, record);
    return stateOf(record);
  }

  function cancel(payload: Record<string, unknown>): DeliveryState {
    const id = String(payload.deliveryId ?? '');
    const seen = deliveries.get(id);
    if (seen) return stateOf(seen);
    const record: FakeDelivery = { deliveryId: id, state: 'cancelled', at: new Date().toISOString() };
    deliveries.set(id, record);
    return stateOf(record);
  }

  function send(response: ServerResponse, status: number, answer: object): void {
    if (response.destroyed) return;
    const body = JSON.stringify(answer);
    const timestamp = String(Date.now());
    response.writeHead(status, { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': utilitySignature(apiKey, timestamp, body) });
    response.end(body);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '';
      const known = path === options.deliverPath || path === options.cancelPath || path in options.lookups;
      if (request.method !== 'POST' || !known) return send(response, 404, { error: 'not found' });
      if (!signatureMatches(apiKey, String(request.headers['x-timestamp'] ?? ''), body, String(request.headers['x-signature'] ?? ''))) return send(response, 401, { error: 'bad signature' });
      const index = armed.findIndex((a) => a.path === path);
      const fault = index >= 0 ? armed[index]!.fault : undefined;
      if (index >= 0 && --armed[index]!.times <= 0) armed.splice(index, 1);
      if (isDown || fault?.kind === 'down') return send(response, 503, { error: 'system unavailable' });
      counts.set(path, (counts.get(path) ?? 0) + 1);
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(response, 400, { error: 'not JSON' });
      }
      const answer = path === options.deliverPath ? deliver(payload) : path === options.cancelPath ? cancel(payload) : options.lookups[path]!(payload);
      if (fault?.kind === 'drop') return response.destroy();
      if (fault?.kind === 'late') return void setTimeout(() => send(response, 200, answer), fault.delayMs);
      send(response, 200, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { baseUrl: `http://127.0.0.1:${port}`, apiKey },
    down: () => void (isDown = true),
    up: () => void (isDown = false),
    injectFault: (path, fault, times = 1) => void armed.push({ path, fault, times }),
    deliveries: () => [...deliveries.values()].map((d) => ({ ...d })),
    calls: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
