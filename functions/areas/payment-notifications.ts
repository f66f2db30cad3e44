/** The payment platforms calling back: one Lambda function (serverless.yml), each route's module imported on its first request (functions/http/area.ts). */
import { area } from '../http/area';

export const handler = area({
  'POST /v1/payments/wechat/notify': () => import('../handlers/payment-notify-wechat'),
  'POST /v1/payments/alipay/notify': () => import('../handlers/payment-notify-alipay'),
  'POST /v1/payments/wechat/agreements/notify': () => import('../handlers/payment-notify-wechat-agreement'),
  'POST /v1/payments/alipay/agreements/notify': () => import('../handlers/payment-notify-alipay-agreement'),
});
