import { wechatAgreementNotificationRoute } from '../../shared/api/auto-reload';
import { RawReply, route } from '../http/route';
import { handleAgreementNotification } from '../services/auto-reload';

export const handler = route(wechatAgreementNotificationRoute, async (_input, { deps, request }) => {
  const answer = await handleAgreementNotification(deps, 'wechat', { headers: request.headers, rawBody: request.rawBody, now: deps.clock() });
  return new RawReply(answer.status, answer.contentType, answer.body);
});
