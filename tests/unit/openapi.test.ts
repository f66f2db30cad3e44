import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/http/openapi';
import { ROUTES } from '../../shared/api/routes';
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/write-openapi';

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument() as any;

  it('is OpenAPI 3.1 with every route, each with an operationId and its auth scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const contract of ROUTES) {
      const operation = doc.paths[contract.path][contract.method.toLowerCase()];
      expect(operation.operationId).toBe(contract.operationId);
      expect(operation.security).toBeDefined();
    }
    expect(doc.paths['/v1/pos/charges'].post.security).toEqual([{ terminalSignature: [] }]);
    expect(doc.components.securitySchemes.terminalSignature).toBeDefined();
  });

  it('describes the request body and every error the route can give', () => {
    const op = doc.paths['/v1/pos/charges'].post;
    expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PosChargeRequest' });
    const request = doc.components.schemas.PosChargeRequest;
    expect(request.properties.amountFen).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    expect(request.additionalProperties).toBe(false);
    const codes = Object.values(op.responses).flatMap((r: any) => r.content['application/json'].schema.properties?.code?.enum ?? []);
    expect(codes).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_BALANCE', 'IDEMPOTENCY_CONFLICT', 'CARD_LOST']));
    expect(op.responses['409'].content['application/json'].schema.properties.message.properties).toHaveProperty('zh');
  });

  it('docs/openapi.json is up to date (run `npm run openapi`)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });
});
