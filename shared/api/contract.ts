/**
 * What one HTTP route promises: its method and path (as in serverless.yml), who may call it, the
 * shapes of its request and answer, and the error codes it can give. Handlers are built from a
 * contract, and the OpenAPI document is generated from the same objects.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import type { StaffRole } from '../vocabulary';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** none: public; terminal: a registered POS signs each request; holder: a card holder's session; admin: card-centre staff. */
export type AuthScheme = 'none' | 'terminal' | 'holder' | 'admin';

export interface RouteContract<
  Body extends z.ZodType = z.ZodType,
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
  Auth extends AuthScheme = AuthScheme,
> {
  operationId: string;
  method: HttpMethod;
  path: string;
  auth: Auth;
  /**
   * auth 'admin': the staff roles that may call it, checked by the route layer right after the
   * session (FORBIDDEN otherwise). A staff route without roles is refused to everyone.
   */
  roles?: readonly StaffRole[];
  summary: string;
  description?: string;
  tags: string[];
  body?: Body;
  params?: Params;
  query?: Query;
  response: Response;
  successStatus?: 200 | 201;
  /** When the success answer is not JSON (a payment platform's expected acknowledgement). */
  successContentType?: string;
  /** Answers other than success and the error shape, e.g. /health's 503 that still carries the health report. */
  otherResponses?: { status: number; description: string; schema: z.ZodType; contentType?: string }[];
  /** Error codes this route's own code can answer with (the route layer's are added by functions/http/openapi.ts). */
  errors: ErrorCode[];
}

export function defineRoute<
  Body extends z.ZodType = z.ZodNever,
  Params extends z.ZodType = z.ZodNever,
  Query extends z.ZodType = z.ZodNever,
  Response extends z.ZodType = z.ZodType,
  const Auth extends AuthScheme = AuthScheme,
>(contract: RouteContract<Body, Params, Query, Response, Auth>): RouteContract<Body, Params, Query, Response, Auth> {
  return contract;
}

/** Staff role sets of the admin contracts, so a route's `roles` reads as the rule it follows. */
export const STAFF = {
  /** Read-only: every role, the auditor included. */
  readers: ['operator', 'finance', 'administrator', 'auditor'],
  /** Money and card actions at the counter. */
  counter: ['operator', 'administrator'],
  /** Settlement statements, payouts, merchants' fees and settlement accounts. */
  finance: ['finance', 'administrator'],
  /** What finance and the auditor read (statements), not the counter. */
  financeReaders: ['finance', 'administrator', 'auditor'],
  /** Reconciliation findings: a card difference is the counter's, a platform bill or bank line finance's. */
  resolvers: ['operator', 'finance', 'administrator'],
  /** Campus policy and staff. */
  administrator: ['administrator'],
  /** The staff action log and the staff list: who did what. */
  oversight: ['administrator', 'auditor'],
} as const satisfies Record<string, readonly StaffRole[]>;
