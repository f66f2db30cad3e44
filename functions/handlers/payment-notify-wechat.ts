import { wechatPayNotification } from '../../shared/api/topups';
import { RawReply, route } from '../http/route';
import { handlePaymentNotification } from '../services/topups';

export const handler = route(wechatPayNotification, async (_input, { deps, request }) => {
  const answer = await handlePaymentNotification(deps, 'wechat', { headers: request.headers, rawBody: request.rawBody, now: deps.clock() });
  return new RawReply(answer.status, answer.contentType, answer.body);
});
