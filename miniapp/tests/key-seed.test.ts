/** The device key's seed on a phone without a secure random source (lib/key-seed.ts, docs/qr-token.md). */
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { collectPhoneEntropy, deviceKeySeed, mixSeed, noteEntropy, randomSourceOf } from '../src/lib/key-seed';

const serverSeed = new Uint8Array(32).fill(7);
const asked = (seed: Uint8Array) => {
  const calls: number[] = [];
  return { calls, ask: async () => (calls.push(1), base64urlnopad.encode(seed)) };
};

describe('where the key’s randomness comes from', () => {
  it('Web Crypto where there is one, then wx.getRandomValues, else the server’s seed', () => {
    expect(randomSourceOf({ crypto: { getRandomValues: () => undefined } })).toBe('crypto');
    expect(randomSourceOf({ wx: { getRandomValues: () => undefined } })).toBe('wx');
    expect(randomSourceOf({ my: {} })).toBe('server-seed');
  });

  it('asks the server only when the phone has no source of its own', async () => {
    const web = asked(serverSeed);
    expect(await deviceKeySeed(web.ask, { crypto: { getRandomValues: () => undefined } })).toBeUndefined();
    const wechat = asked(serverSeed);
    const wxBytes = new Uint8Array(32).fill(9);
    const wx = { getRandomValues: (o: { length: number; success: (r: { randomValues: ArrayBuffer }) => void }) => o.success({ randomValues: wxBytes.slice(0, o.length).buffer }) };
    expect(await deviceKeySeed(wechat.ask, { wx })).toEqual(wxBytes);
    const alipay = asked(serverSeed);
    const seed = await deviceKeySeed(alipay.ask, { my: { getSystemInfoSync: () => ({ brand: 'OPPO' }) } });
    expect([web.calls.length, wechat.calls.length, alipay.calls.length]).toEqual([0, 0, 1]);
    expect(seed).toHaveLength(32);
  });
});

describe('mixing the server’s seed with the phone’s entropy', () => {
  it('neither alone gives the key: the same server seed gives another key on every phone (and every try)', async () => {
    const a = await deviceKeySeed(asked(serverSeed).ask, { my: {} });
    const b = await deviceKeySeed(asked(serverSeed).ask, { my: {} });
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(serverSeed);
    // and the same phone entropy with another server seed gives another key
    const entropy = collectPhoneEntropy({ my: {} });
    expect(mixSeed(serverSeed, entropy)).not.toEqual(mixSeed(new Uint8Array(32).fill(8), entropy));
    expect(mixSeed(serverSeed, entropy)).toEqual(mixSeed(serverSeed, entropy));
  });

  it('takes in what Alipay’s my gives and the touch timings', () => {
    const my = (brand: string) => ({ my: { getSystemInfoSync: () => ({ brand }), getBatteryInfoSync: () => { throw new Error('not in this version'); } } });
    expect(new TextDecoder().decode(collectPhoneEntropy(my('vivo')))).toContain('"brand":"vivo"');
    const before = collectPhoneEntropy({}).slice(0, 32);
    noteEntropy(123.4, 56);
    expect(collectPhoneEntropy({}).slice(0, 32)).not.toEqual(before);
  });

  it('refuses a server seed that is not 32 bytes', async () => {
    await expect(deviceKeySeed(async () => base64urlnopad.encode(new Uint8Array(16)), { my: {} })).rejects.toThrow('32 bytes');
  });
});
