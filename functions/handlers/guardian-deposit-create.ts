import { createGuardianDeposit } from '../../shared/api/guardian';
import { route } from '../http/route';
import { createGuardianDeposit as create, lookupSubject } from '../services/guardian-deposits';

export const handler = route(createGuardianDeposit, async ({ body }, { deps, request }) => {
  const { deposit, payment } = await create(deps, lookupSubject(request.sourceIp), body);
  return { deposit, ...(payment.channel === 'wechat' ? { wechat: payment.requestPayment } : { alipay: { tradeNo: payment.tradeNo } }) };
});
