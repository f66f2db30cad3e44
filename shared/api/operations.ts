/** Operations routes: health and the API description. */
import * as z from 'zod';
import { defineRoute } from './contract';

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    time: z.iso.datetime(),
    dynamodb: z.object({
      reachable: z.boolean(),
      table: z.string(),
      tableStatus: z.string().optional(),
      latencyMs: z.number().int().min(0),
    }),
  })
  .meta({ id: 'Health' });

export const getHealth = defineRoute({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  auth: 'none',
  summary: 'Service health, including whether DynamoDB is reachable',
  tags: ['operations'],
  response: healthResponse,
  otherResponses: [{ status: 503, description: 'DynamoDB is unreachable or the table is missing', schema: healthResponse }],
  errors: [],
});

export const getOpenApi = defineRoute({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'none',
  summary: 'This OpenAPI 3.1 document',
  tags: ['operations'],
  response: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }),
  errors: [],
});

