/** The service's own routes: one Lambda function (serverless.yml), each route's module imported on its first request (functions/http/area.ts). */
import { area } from '../http/area';

export const handler = area({
  'GET /health': () => import('../handlers/health'),
  'GET /openapi.json': () => import('../handlers/openapi'),
  '$default': () => import('../handlers/not-found'),
});
