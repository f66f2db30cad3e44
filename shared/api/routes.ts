/** The API contract: every route of serverless.yml, in the order the OpenAPI document lists them. */
import { getHolderAccount, getHolderLedgerEntry, getHolderStatement, listHolderLedger, registerDeviceKey } from './holder';
import { getHealth, getOpenApi } from './operations';
import { alipaySignIn, bindCard, changePassword, kioskReplacement, passwordLogin, reportLoss, setDailyLimit, unfreeze, wechatSignIn } from './lifecycle';
import { alipayNotification, createTopup, getTopup, wechatPayNotification } from './topups';
import { bankTransfer, confirmCardLoad, identityScan, offlineBundle, offlineUpload, posCharge, qrPayment, reserveCardLoad } from './pos';

export const ROUTES = [
  getHealth,
  getOpenApi,
  posCharge,
  qrPayment,
  identityScan,
  offlineBundle,
  offlineUpload,
  reserveCardLoad,
  confirmCardLoad,
  bankTransfer,
  getHolderAccount,
  listHolderLedger,
  getHolderLedgerEntry,
  getHolderStatement,
  registerDeviceKey,
  createTopup,
  getTopup,
  wechatPayNotification,
  alipayNotification,
  passwordLogin,
  wechatSignIn,
  alipaySignIn,
  bindCard,
  changePassword,
  setDailyLimit,
  reportLoss,
  unfreeze,
  kioskReplacement,
] as const;
