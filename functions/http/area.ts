/**
 * One Lambda function for several routes of an area (the terminal API, the holder's API, the console's API):
 * API Gateway's routeKey (`POST /v1/pos/kiosk/...`, `$default`) picks the route's handler module, imported on
 * the route's first request. In the deployed bundle each handler module is a chunk of its own
 * (scripts/lambda-bundle.mjs), so a cold start loads the area's common code and the one route asked for.
 *
 * Why areas and not a function per route: 109 functions made a 689-resource CloudFormation stack (the limit
 * is 500), and a function per route is a cold start per route. The routes that must stay warm or apart
 * (payments, bulk uploads, imports) keep functions of their own; docs/operations.md "Functions" has the figures.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** routeKey → the route's handler module (`() => import('../handlers/x')`, each exporting `handler`). */
export type AreaRoutes = Readonly<Record<string, () => Promise<{ handler: HttpHandler }>>>;

export type AreaHandler = HttpHandler & { readonly routes: AreaRoutes };

export function area(routes: AreaRoutes): AreaHandler {
  const loaded = new Map<string, Promise<HttpHandler>>();
  const handler = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    // A routeKey this area does not serve means serverless.yml and the area disagree (a test keeps them
    // together); the caller still gets the API's own JSON 404, never a crash.
    const key = Object.hasOwn(routes, event.routeKey) ? event.routeKey : '$default';
    let route = loaded.get(key);
    if (!route) {
      const load = routes[key] ?? (() => import('../handlers/not-found'));
      route = load().then((module) => module.handler);
      // A failed import is not cached: the next request tries again.
      route.catch(() => loaded.delete(key));
      loaded.set(key, route);
    }
    return (await route)(event, context);
  };
  return Object.assign(handler, { routes });
}
