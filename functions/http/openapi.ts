/** The OpenAPI 3.1 document, generated from the same zod contracts the handlers validate with. */
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import type { AuthScheme, RouteContract } from '../../shared/api/contract';
import { ROUTES } from '../../shared/api/routes';
import { ERRORS, type ErrorCode } from '../../shared/errors';

/** Error codes any route of an auth scheme may answer with, besides its own. */
const COMMON_ERRORS: Record<AuthScheme, ErrorCode[]> = {
  none: ['INTERNAL'],
  terminal: [
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'UNSUPPORTED_MEDIA_TYPE',
    'UNAUTHENTICATED',
    'TERMINAL_CLOCK_SKEW',
    'TERMINAL_NONCE_REUSED',
    'TERMINAL_DISABLED',
    'INTERNAL',
    'DATABASE_UNAVAILABLE',
  ],
  holder: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'UNAUTHENTICATED', 'SESSION_EXPIRED', 'INTERNAL', 'DATABASE_UNAVAILABLE'],
  admin: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'UNAUTHENTICATED', 'FORBIDDEN', 'INTERNAL', 'DATABASE_UNAVAILABLE'],
};

const SECURITY: Record<AuthScheme, Record<string, string[]>[]> = {
  none: [],
  terminal: [{ terminalSignature: [] }],
  holder: [{ holderSession: [] }],
  admin: [{ adminSession: [] }],
};

function errorSchema(codes: ErrorCode[]) {
  return z.object({
    code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
    message: z.object({ zh: z.string(), en: z.string() }),
    requestId: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), problem: z.string() })).optional(),
  });
}

export function errorCodesOf(contract: RouteContract): ErrorCode[] {
  return [...new Set([...COMMON_ERRORS[contract.auth], ...contract.errors])];
}

function operation(contract: RouteContract): ZodOpenApiOperationObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(contract)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<`${number}`, ZodOpenApiResponseObject> = {
    [`${contract.successStatus ?? 200}`]: {
      description: 'Success',
      content: { 'application/json': { schema: contract.response } },
    },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}`] = {
      description: codes.map((code) => `${code}: ${ERRORS[code].en}`).join('; '),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
  }
  for (const other of contract.otherResponses ?? []) {
    responses[`${other.status}`] = { description: other.description, content: { 'application/json': { schema: other.schema } } };
  }
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    tags: contract.tags,
    security: SECURITY[contract.auth],
    ...(contract.params || contract.query
      ? { requestParams: { ...(contract.params ? { path: contract.params as z.ZodObject } : {}), ...(contract.query ? { query: contract.query as z.ZodObject } : {}) } }
      : {}),
    ...(contract.body ? { requestBody: { required: true, content: { 'application/json': { schema: contract.body } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly RouteContract[] = ROUTES): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const contract of routes) {
    paths[contract.path] = { ...paths[contract.path], [contract.method.toLowerCase()]: operation(contract) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Campus e-card API',
      version: '0.1.0',
      description:
        'Open campus one-card platform. Money is always integer fen (amountFen). Errors are { code, message: { zh, en }, requestId }.',
    },
    paths,
    components: {
      securitySchemes: {
        terminalSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-signature',
          description:
            'POS terminals sign every request: base64url(HMAC-SHA256(secret, METHOD\\nPATH\\nx-timestamp\\nx-nonce\\nhex(SHA-256(body)))), ' +
            'with headers x-terminal-id, x-timestamp (Unix seconds, within ±300 s) and x-nonce (8–64 of [A-Za-z0-9_-], never reused). See docs/terminal-auth.md.',
        },
        holderSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A card holder session token' },
        adminSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A card-centre staff session token' },
      },
    },
  });
}
