/** The API contract: every route of serverless.yml, in the order the OpenAPI document lists them. */
import { getHolderAccount, getHolderLedgerEntry, getHolderStatement, listHolderLedger } from './holder';
import { getHealth, getOpenApi } from './operations';
import { posCharge } from './pos';

export const ROUTES = [getHealth, getOpenApi, posCharge, getHolderAccount, listHolderLedger, getHolderLedgerEntry, getHolderStatement] as const;
