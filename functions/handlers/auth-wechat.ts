import { wechatSignIn } from '../../shared/api/lifecycle';
import { route } from '../http/route';
import { signInWithPlatform } from '../services/sign-in';

export const handler = route(wechatSignIn, async ({ body }, { deps }) => signInWithPlatform(deps, 'wechat', body.code));
