import { bindCard } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { bindElectronicCard } from '../services/sign-in';

export const handler = route(bindCard, async ({ body }, { deps }) => bindElectronicCard(deps, body));
