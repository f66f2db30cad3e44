import { createTopup } from '../../shared/api/topups';
import { route } from '../http/route';
import { createTopupOrder } from '../services/topups';

export const handler = route(createTopup, async ({ body }, { deps, holder }) => {
  const { order, payment } = await createTopupOrder(deps, holder.accountNo, body);
  return { order, ...(payment.channel === 'wechat' ? { wechat: payment.requestPayment } : { alipay: { tradeNo: payment.tradeNo } }) };
});
