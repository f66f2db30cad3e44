import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, routeLayerErrors } from '../../functions/http/openapi';
import { ROUTES } from '../../shared/api/routes';
import { ERRORS } from '../../shared/errors';
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

  const codesAt = (path: string, method: string, status: number): string[] =>
    doc.paths[path][method].responses[String(status)]?.content?.['application/json']?.schema?.properties?.code?.enum ?? [];

  it('every route documents every code the route layer itself can answer (auth, body, path, faults)', () => {
    for (const contract of ROUTES) {
      for (const code of routeLayerErrors(contract)) {
        expect(codesAt(contract.path, contract.method.toLowerCase(), ERRORS[code].status), `${contract.operationId}: ${code}`).toContain(code);
      }
    }
  });

  it('every staff route lists the roles it lets through and documents their refusal, 403 FORBIDDEN', () => {
    for (const contract of ROUTES.filter((route) => route.auth === 'admin')) {
      const operation = doc.paths[contract.path][contract.method.toLowerCase()];
      expect(operation['x-staff-roles'], contract.operationId).toEqual(contract.roles);
      expect(codesAt(contract.path, contract.method.toLowerCase(), 403), contract.operationId).toContain('FORBIDDEN');
    }
    expect(doc.paths['/v1/admin/accounts/{accountNo}/adjustments'].post['x-staff-roles']).toEqual(['operator', 'administrator']);
  });

  it('the H5 sign-in documents malformed JSON, a failed validation and another content type', () => {
    expect(codesAt('/v1/auth/password', 'post', 400)).toEqual(expect.arrayContaining(['MALFORMED_JSON', 'VALIDATION_FAILED']));
    expect(codesAt('/v1/auth/password', 'post', 415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(codesAt('/v1/auth/password', 'post', 423)).toEqual(['PASSWORD_LOCKED']);
  });

  it('payment notifications document a refusal as a 400 in the platform’s own shape', () => {
    const wechat = doc.paths['/v1/payments/wechat/notify'].post.responses;
    expect(wechat['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WechatPayNotificationRefusal' });
    expect(doc.components.schemas.WechatPayNotificationRefusal.properties.code).toMatchObject({ const: 'FAIL' });
    const alipay = doc.paths['/v1/payments/alipay/notify'].post.responses;
    expect(alipay['200'].content['text/plain'].schema).toMatchObject({ const: 'success' });
    expect(alipay['400'].content['text/plain'].schema).toMatchObject({ const: 'fail' });
    for (const responses of [wechat, alipay]) expect(codesAt(responses === wechat ? '/v1/payments/wechat/notify' : '/v1/payments/alipay/notify', 'post', 500)).toEqual(['INTERNAL']);
  });

  it('docs/openapi.json is up to date (run `npm run openapi`)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });
});
