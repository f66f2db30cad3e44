/** The mini-program's API: one Lambda function (serverless.yml), each route's module imported on its first request (functions/http/area.ts). */
import { area } from '../http/area';

export const handler = area({
  'GET /v1/holder/account': () => import('../handlers/holder-account'),
  'GET /v1/holder/ledger': () => import('../handlers/holder-ledger'),
  'GET /v1/holder/ledger/{receiptNo}': () => import('../handlers/holder-ledger-entry'),
  'GET /v1/holder/statements/{month}': () => import('../handlers/holder-statement'),
  'POST /v1/holder/device-keys': () => import('../handlers/holder-device-key'),
  'POST /v1/holder/topups': () => import('../handlers/holder-topup-create'),
  'GET /v1/holder/topups/{orderId}': () => import('../handlers/holder-topup-get'),
  'GET /v1/holder/utilities': () => import('../handlers/holder-utility-view'),
  'POST /v1/holder/utilities/network-fee': () => import('../handlers/holder-utility-network'),
  'POST /v1/holder/utilities/electricity': () => import('../handlers/holder-utility-electricity'),
  'GET /v1/holder/utilities/payments/{receiptNo}': () => import('../handlers/holder-utility-payment'),
  'POST /v1/auth/password': () => import('../handlers/auth-password'),
  'POST /v1/auth/wechat': () => import('../handlers/auth-wechat'),
  'POST /v1/auth/alipay': () => import('../handlers/auth-alipay'),
  'POST /v1/auth/bindings': () => import('../handlers/auth-binding'),
  'POST /v1/holder/passwords/{kind}': () => import('../handlers/holder-password'),
  'PUT /v1/holder/daily-limit': () => import('../handlers/holder-daily-limit'),
  'POST /v1/holder/loss': () => import('../handlers/holder-loss'),
  'POST /v1/holder/unfreeze': () => import('../handlers/holder-unfreeze'),
  'POST /v1/holder/card-replacement': () => import('../handlers/holder-replacement-request'),
  'GET /v1/holder/card-replacement': () => import('../handlers/holder-replacement-get'),
});
