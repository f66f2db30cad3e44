/** Long answers are gzipped for clients that take gzip (functions/http/compression.ts); short ones and other clients get the text. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, compressAnswer, COMPRESS_FROM_BYTES } from '../../functions/http/compression';
import { json } from '../../functions/http/route';

describe('Accept-Encoding', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['x-gzip', true],
    ['*', true],
    ['GZIP', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['deflate, br', false],
    ['identity', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (header, expected) => expect(acceptsGzip(header)).toBe(expected));
});

describe('compressAnswer', () => {
  const long = json(200, { rows: Array.from({ length: 2_000 }, (_, i) => [`K${i}`, i * 7, 'CPU']) });

  it('gzips a long answer for a client that takes gzip, base64 as API Gateway wants, and says so', () => {
    expect(long.body!.length).toBeGreaterThan(COMPRESS_FROM_BYTES);
    const answer = compressAnswer(long, 'gzip, deflate, br');
    expect(answer.isBase64Encoded).toBe(true);
    expect(answer.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-type': 'application/json; charset=utf-8' });
    expect(gunzipSync(Buffer.from(answer.body!, 'base64')).toString('utf8')).toBe(long.body);
    expect(answer.body!.length).toBeLessThan(long.body!.length / 2);
    expect(answer.statusCode).toBe(200);
  });

  it('leaves it as text for a client that does not take gzip, with Vary so no cache mixes them up', () => {
    const answer = compressAnswer(long, 'identity');
    expect(answer.body).toBe(long.body);
    expect(answer.isBase64Encoded).toBeUndefined();
    expect(answer.headers).toMatchObject({ vary: 'accept-encoding' });
    expect(answer.headers?.['content-encoding']).toBeUndefined();
  });

  it('never compresses a short answer (a payment), or one already binary or encoded', () => {
    const short = json(200, { receiptNo: 'R1', balanceFen: 1234 });
    expect(compressAnswer(short, 'gzip')).toBe(short);
    const binary = { ...long, isBase64Encoded: true };
    expect(compressAnswer(binary, 'gzip')).toBe(binary);
    const encoded = { ...long, headers: { ...long.headers, 'content-encoding': 'br' } };
    expect(compressAnswer(encoded, 'gzip')).toBe(encoded);
  });
});
