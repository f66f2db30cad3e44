import { notFoundHandler } from '../http/route';

/** API Gateway's `$default` route: any request no other route matches. */
export const handler = notFoundHandler();
