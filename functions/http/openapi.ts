/** The OpenAPI 3.1 document, generated from the same zod contracts the handlers validate with. */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import type { AuthScheme, RouteContract } from '../../shared/api/contract';
import { ROUTES } from '../../shared/api/routes';
import { ERRORS, type ErrorCode } from '../../shared/errors';

/** What the auth step of each scheme can refuse with (functions/http/*-auth.ts, functions/auth/tokens.ts). */
const AUTH_ERRORS: Record<AuthScheme, ErrorCode[]> = {
  none: [],
  terminal: ['UNAUTHENTICATED', 'TERMINAL_CLOCK_SKEW', 'TERMINAL_NONCE_REUSED', 'TERMINAL_DISABLED', 'MERCHANT_SUSPENDED'],
  holder: ['UNAUTHENTICATED', 'SESSION_EXPIRED'],
  admin: ['UNAUTHENTICATED', 'SESSION_EXPIRED', 'FORBIDDEN'],
};

/**
 * Every code functions/http/route.ts itself can answer for this route, whatever the route's own code
 * does: added here for every route, so no contract has to remember them.
 */
export function routeLayerErrors(contract: RouteContract): ErrorCode[] {
  return [
    // parseJsonBody and the zod contract: only where there is a body, path or query to read.
    ...(contract.body || contract.params || contract.query ? (['VALIDATION_FAILED'] as const) : []),
    ...(contract.body ? (['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE'] as const) : []),
    ...AUTH_ERRORS[contract.auth],
    'INTERNAL',
    // A route that documents its own 503 (health) catches the outage itself.
    ...((contract.otherResponses ?? []).some((other) => other.status === 503) ? [] : (['DATABASE_UNAVAILABLE'] as const)),
  ];
}

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
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional().meta({ description: "The values the message's {name}s were filled with" }),
    requestId: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), problem: z.string() })).optional(),
  });
}

export function errorCodesOf(contract: RouteContract): ErrorCode[] {
  return [...new Set([...routeLayerErrors(contract), ...contract.errors])];
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
      content: { [contract.successContentType ?? 'application/json']: { schema: contract.response } },
    },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}`] = {
      description: codes.map((code) => `${code}: ${ERRORS[code].en}`).join('; '),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
  }
  for (const other of contract.otherResponses ?? []) {
    // One status, one shape: an answer of its own must not silently replace documented error codes.
    if (responses[`${other.status}`]) throw new Error(`${contract.operationId}: ${other.status} is both an error code's status and an answer of its own`);
    responses[`${other.status}`] = { description: other.description, content: { [other.contentType ?? 'application/json']: { schema: other.schema } } };
  }
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    tags: contract.tags,
    security: SECURITY[contract.auth],
    // The staff roles the route layer lets through (anyone else: 403 FORBIDDEN), for clients' menus.
    ...(contract.auth === 'admin' ? { 'x-staff-roles': [...(contract.roles ?? [])] } : {}),
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
