/**
 * Tests talk only to this machine: any connection to a non-loopback address fails loudly, so a
 * payment SDK that tries to reach a real platform (e.g. to download certificates) fails the test
 * instead of leaking out.
 */
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

export class NetworkGuardError extends Error {
  constructor(target: string) {
    super(`network guard: tests may only connect to loopback, not ${target}`);
    this.name = 'NetworkGuardError';
  }
}

function targetOf(args: unknown[]): { host?: string; path?: string } {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const options = first as { host?: string; path?: string };
    return { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.path !== undefined ? { path: options.path } : {}) };
  }
  if (Array.isArray(first)) return targetOf(first); // normalized [options, cb] form used internally
  if (typeof first === 'string' && second === undefined) return { path: first }; // unix socket
  return typeof second === 'string' ? { host: second } : { host: 'localhost' };
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const { host, path } = targetOf(args);
  if (path === undefined && host !== undefined && !LOOPBACK.test(host)) {
    throw new NetworkGuardError(host);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
