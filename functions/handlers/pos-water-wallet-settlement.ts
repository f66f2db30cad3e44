import { settleChipWalletRoute } from '../../shared/api/water';
import { route } from '../http/route';
import { settleChipWallet } from '../services/small-wallet';

export const handler = route(settleChipWalletRoute, async ({ body }, { deps, terminal }) => settleChipWallet(deps, terminal, body));
