import { confirmGuardianHolder } from '../../shared/api/guardian';
import { route } from '../http/route';
import { confirmGuardianHolder as confirm, lookupSubject } from '../services/guardian-deposits';

export const handler = route(confirmGuardianHolder, async ({ body }, { deps, request }) => confirm(deps, lookupSubject(request.sourceIp), body));
