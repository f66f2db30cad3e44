import { getOpenApi } from '../../shared/api/operations';
import { buildOpenApiDocument } from '../http/openapi';
import { route } from '../http/route';

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const handler = route(getOpenApi, async () => {
  document ??= buildOpenApiDocument();
  return document as unknown as Record<string, unknown>;
});
