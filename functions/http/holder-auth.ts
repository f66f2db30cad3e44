/** Authenticates a holder's request by its bearer session token. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../app-error';
import { verifyHolderSession, type HolderSession } from '../auth/holder-session';
import { sessionSecret } from '../auth/session-secret';
import type { Deps } from '../deps';

export async function authenticateHolder(deps: Deps, event: APIGatewayProxyEventV2): Promise<HolderSession> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
  if (!match) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
  return verifyHolderSession(await sessionSecret(deps.config), match[1]!, deps.clock());
}
