import { alipaySignIn } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { signInWithPlatform } from '../services/sign-in';

export const handler = route(alipaySignIn, async ({ body }, { deps }) => signInWithPlatform(deps, 'alipay', body.authCode));
