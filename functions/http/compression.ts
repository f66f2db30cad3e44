/**
 * gzip for long answers (the offline bundle, long lists, CSV exports). API Gateway's HTTP API does
 * not compress, and Lambda answers at most 6 MB: the full offline bundle of 60,000 holders is
 * ~4.2 MB of JSON but ~3.2 MB gzipped and base64-encoded, so compression is what keeps the largest
 * campus inside the limit. A payment's few hundred bytes are not worth the CPU and stay as they are.
 * Every client we ship (fetch in browsers, Node and the POS, wx.request/my.request) decodes gzip.
 */
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Answers shorter than this (bytes of the body as text) go uncompressed. */
export const COMPRESS_FROM_BYTES = 8 * 1024;

/** True when an Accept-Encoding header admits gzip (`gzip`, `x-gzip` or `*`, without q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let gzip: boolean | undefined;
  let any: boolean | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    const allowed = q === undefined || Number(q) > 0;
    if (name.trim() === 'gzip' || name.trim() === 'x-gzip') gzip = allowed;
    else if (name.trim() === '*') any = allowed;
  }
  return gzip ?? any ?? false;
}

/** The answer gzipped (base64, as API Gateway wants binary bodies) when it is long and the client takes gzip; otherwise as it was. */
export function compressAnswer(result: APIGatewayProxyStructuredResultV2, acceptEncoding: string | undefined): APIGatewayProxyStructuredResultV2 {
  const body = result.body;
  if (body === undefined || result.isBase64Encoded || body.length < COMPRESS_FROM_BYTES || result.headers?.['content-encoding']) return result;
  // Vary on every long answer, compressed or not, so a cache never hands gzip to a client that did not ask.
  const headers = { ...result.headers, vary: 'accept-encoding' };
  if (!acceptsGzip(acceptEncoding)) return { ...result, headers };
  return { ...result, headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync(body).toString('base64'), isBase64Encoded: true };
}
