/** Writes docs/openapi.json from the zod contracts (a test fails if the committed file is stale). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../functions/http/openapi';
import { PROJECT_ROOT } from '../functions/local/serverless-config';

export const OPENAPI_FILE = join(PROJECT_ROOT, 'docs', 'openapi.json');

export function renderOpenApi(): string {
  return JSON.stringify(buildOpenApiDocument(), null, 2) + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
