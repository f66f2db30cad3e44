import { passwordLogin } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { signInWithPassword } from '../services/sign-in';

export const handler = route(passwordLogin, async ({ body }, { deps }) => signInWithPassword(deps, body.personId, body.queryPassword));
