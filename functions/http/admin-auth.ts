/**
 * Authenticates a card-centre staff request by its bearer admin session token. A holder's token (other
 * audience) or a terminal's signature (no bearer token) is refused like no token at all. The staff
 * item is read on every request: admin traffic is a handful of clerks, and a disabled account or a
 * changed role must take effect at once, not when an 8-hour token runs out.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../app-error';
import { verifyAdminSession } from '../auth/admin-session';
import { sessionSecret } from '../auth/session-secret';
import type { Deps } from '../deps';
import { staffRoleOf, type Actor, type StaffRole } from '../domain/staff';
import { getStaff } from '../store/staff';

export type AdminCaller = Actor;

export async function authenticateAdmin(deps: Deps, event: APIGatewayProxyEventV2): Promise<AdminCaller> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
  if (!match) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
  const session = await verifyAdminSession(await sessionSecret(deps.config), match[1]!, deps.clock());
  const staff = await getStaff(deps.db, session.username);
  if (!staff || staff.status !== 'active') throw new AppError('UNAUTHENTICATED', `staff ${session.username} is not active`);
  if (!staffRoleOf(staff.role)) throw new AppError('UNAUTHENTICATED', `staff ${session.username} has no known role`);
  return { username: staff.username, role: staff.role satisfies StaffRole };
}
