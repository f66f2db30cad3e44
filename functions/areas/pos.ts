/** The terminal API: one Lambda function (serverless.yml), each route's module imported on its first request (functions/http/area.ts). */
import { area } from '../http/area';

export const handler = area({
  'GET /v1/pos/transactions/{posTxnId}': () => import('../handlers/pos-transaction'),
  'POST /v1/pos/payment-codes': () => import('../handlers/pos-payment-code'),
  'GET /v1/pos/payment-codes/{posTxnId}': () => import('../handlers/pos-payment-code-status'),
  'POST /v1/pos/identity-scans': () => import('../handlers/pos-identity-scan'),
  'POST /v1/pos/card-loads': () => import('../handlers/pos-card-load-reserve'),
  'POST /v1/pos/card-loads/{loadId}/confirm': () => import('../handlers/pos-card-load-confirm'),
  'POST /v1/pos/bank-transfers': () => import('../handlers/pos-bank-transfer'),
  'POST /v1/pos/kiosk/balance-queries': () => import('../handlers/pos-kiosk-balance'),
  'POST /v1/pos/kiosk/loss': () => import('../handlers/pos-kiosk-loss'),
  'POST /v1/pos/kiosk/unfreeze': () => import('../handlers/pos-kiosk-unfreeze'),
  'POST /v1/pos/kiosk/passwords/{kind}': () => import('../handlers/pos-kiosk-password'),
  'PUT /v1/pos/kiosk/daily-limit': () => import('../handlers/pos-kiosk-daily-limit'),
  'GET /v1/pos/day': () => import('../handlers/pos-day'),
  'POST /v1/pos/water/sessions': () => import('../handlers/pos-water-session-open'),
  'POST /v1/pos/water/sessions/settlement': () => import('../handlers/pos-water-session-settle'),
  'POST /v1/pos/water/wallet-settlements': () => import('../handlers/pos-water-wallet-settlement'),
  'POST /v1/pos/card-replacements': () => import('../handlers/pos-card-replacement'),
  'POST /v1/pos/activation': () => import('../handlers/pos-activation'),
  'POST /v1/pos/refunds': () => import('../handlers/pos-refund'),
  'POST /v1/pos/kiosk/found-cards': () => import('../handlers/pos-found-card'),
});
