import { alipayAgreementNotificationRoute } from '../../shared/api/auto-reload';
import { RawReply, route } from '../http/route';
import { handleAgreementNotification } from '../services/auto-reload';

export const handler = route(alipayAgreementNotificationRoute, async (_input, { deps, request }) => {
  const answer = await handleAgreementNotification(deps, 'alipay', { headers: request.headers, rawBody: request.rawBody, now: deps.clock() });
  return new RawReply(answer.status, answer.contentType, answer.body);
});
