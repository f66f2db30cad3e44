/**
 * A TCP proxy in front of DynamoDB Local that drops connections on purpose: before the request
 * reaches DynamoDB (nothing happened), or after it was forwarded and before the answer comes back
 * (the write may have committed and the caller never learns it). Counts every drop by kind.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type DropKind = 'dropped_before_forward' | 'dropped_after_forward';

export interface DynamoProxy {
  endpoint: string;
  /** Probability that a request chunk is dropped (0 turns the faults off). */
  setDropRate(rate: number): void;
  drops(): Record<DropKind, number>;
  close(): Promise<void>;
}

export async function startDynamoProxy(upstreamPort: number, random: () => number, dropRate = 0): Promise<DynamoProxy> {
  let rate = dropRate;
  const counts: Record<DropKind, number> = { dropped_before_forward: 0, dropped_after_forward: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // Set when a request went through and its answer is to be lost.
    let loseAnswer = false;
    client.on('data', (chunk: Buffer) => {
      // Only the start of a request (an HTTP request line) is a moment to drop; a body chunk passes.
      const requestStart = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS) /.test(chunk.subarray(0, 8).toString('latin1'));
      if (requestStart && rate > 0 && random() < rate) {
        if (random() < 0.5) {
          counts.dropped_before_forward++;
          end();
          return;
        }
        counts.dropped_after_forward++;
        loseAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (loseAnswer) {
        end();
        return;
      }
      client.write(chunk);
    });
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setDropRate: (next) => {
      rate = next;
    },
    drops: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
