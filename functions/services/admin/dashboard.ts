/**
 * The card centre's dashboard: today's figures from the indexes that exist for them, never a scan.
 * Turnover: each merchant's payable on today's system-account day index (SYS#merchant:<id>:payable#<day>);
 * top-ups: each funding account's day (the platforms' and the bank's clearing, the cash desk);
 * terminals: every merchant's terminal list (gsi1) with the `lastSeenAt` their signed requests leave
 * (functions/store/terminals.ts `noteTerminalSeen`); frozen accounts and open findings: counts of
 * their sparse indexes. One Query pair per merchant and day: a campus has hundreds of merchants.
 */
import type { z } from 'zod';
import { TERMINAL_ONLINE_MINUTES, type dashboard } from '../../../shared/api/console';
import type { Deps } from '../../deps';
import { campusDay } from '../../domain/campus-day';
import { CLEARING_CHANNELS, system, type FundingAccount } from '../../domain/chart';
import { SPENDING_TYPES, TOPUP_TYPES, type MovementType } from '../../domain/ledger';
import { countFrozenAccounts, countOpenFindings } from '../../store/dashboard';
import { listMerchantRecords } from '../../store/merchants';
import { systemAccountEntries, type SystemAccountEntry } from '../../store/system-accounts';
import { listMerchantTerminals } from '../../store/terminals';

type Dashboard = z.infer<typeof dashboard>;

const typeOf = (entry: SystemAccountEntry): MovementType | undefined => (entry as { type?: MovementType }).type;

/** What the entries moved into (`credit`) or out of (`debit`) `account`, for entries of `types`. */
function moved(entries: readonly SystemAccountEntry[], account: string, types: readonly MovementType[], side: 'debit' | 'credit'): { amountFen: number; count: number } {
  let amountFen = 0;
  let count = 0;
  for (const entry of entries) {
    const type = typeOf(entry);
    if (!type || !types.includes(type)) continue;
    const sum = (entry.transfers ?? []).reduce((total, transfer) => total + (transfer[side] === account ? transfer.amountFen : 0), 0);
    if (sum > 0) {
      amountFen += sum;
      count++;
    }
  }
  return { amountFen, count };
}

export async function dashboardFigures(deps: Pick<Deps, 'db' | 'clock'>): Promise<Dashboard> {
  const now = deps.clock();
  const today = campusDay(now);
  const merchants = await listMerchantRecords(deps.db);
  const funding: { channel: Dashboard['topups']['byChannel'][number]['channel']; account: FundingAccount }[] = [
    ...CLEARING_CHANNELS.map((channel) => ({ channel, account: system.clearing(channel) })),
    { channel: 'cash_desk' as const, account: system.cashDesk },
  ];
  const [perMerchant, topups, terminals, frozenAccounts, openFindings] = await Promise.all([
    Promise.all(
      merchants.map(async (merchant) => {
        const account = system.merchantPayable(merchant.merchantId);
        const entries = await systemAccountEntries(deps.db, account, today);
        const payments = moved(entries, account, SPENDING_TYPES, 'credit');
        const refunds = moved(entries, account, ['refund'], 'debit');
        return { merchantId: merchant.merchantId, name: merchant.name, paymentsFen: payments.amountFen, refundsFen: refunds.amountFen, count: payments.count };
      }),
    ),
    Promise.all(funding.map(async ({ channel, account }) => ({ channel, ...moved(await systemAccountEntries(deps.db, account, today), account, TOPUP_TYPES, 'debit') }))),
    Promise.all(merchants.map((merchant) => listMerchantTerminals(deps.db, merchant.merchantId))).then((lists) => lists.flat()),
    countFrozenAccounts(deps.db),
    countOpenFindings(deps.db),
  ]);
  const onlineSince = now.getTime() - TERMINAL_ONLINE_MINUTES * 60_000;
  const active = terminals.filter((terminal) => terminal.status === 'active');
  const online = active.filter((terminal) => terminal.lastSeenAt !== undefined && Date.parse(terminal.lastSeenAt) >= onlineSince).length;
  const paymentsFen = perMerchant.reduce((sum, merchant) => sum + merchant.paymentsFen, 0);
  const refundsFen = perMerchant.reduce((sum, merchant) => sum + merchant.refundsFen, 0);
  return {
    campusDay: today,
    asOf: now.toISOString(),
    turnover: {
      paymentsFen,
      refundsFen,
      netFen: paymentsFen - refundsFen,
      count: perMerchant.reduce((sum, merchant) => sum + merchant.count, 0),
      byMerchant: perMerchant.filter((merchant) => merchant.count > 0 || merchant.refundsFen > 0).sort((a, b) => b.paymentsFen - a.paymentsFen),
    },
    topups: { totalFen: topups.reduce((sum, channel) => sum + channel.amountFen, 0), count: topups.reduce((sum, channel) => sum + channel.count, 0), byChannel: topups },
    terminals: {
      online,
      offline: active.length - online,
      onlineWithinMinutes: TERMINAL_ONLINE_MINUTES,
      disabled: terminals.filter((terminal) => terminal.status === 'disabled').length,
      pendingActivation: terminals.filter((terminal) => terminal.status === 'pending_activation').length,
    },
    frozenAccounts,
    openFindings,
  };
}
