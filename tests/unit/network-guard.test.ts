import { describe, expect, it } from 'vitest';

describe('the network guard', () => {
  it('refuses a connection to a public address, by fetch and by socket', async () => {
    await expect(fetch('http://93.184.216.34/')).rejects.toThrow();
    const net = await import('node:net');
    expect(() => net.connect(443, '8.8.8.8')).toThrow(/network guard/);
    expect(() => net.connect({ host: '10.0.0.1', port: 80 })).toThrow(/network guard/);
  });

  it('lets loopback through', async () => {
    const net = await import('node:net');
    const server = net.createServer((socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    server.close();
    expect(text).toBe('hi');
  });
});
