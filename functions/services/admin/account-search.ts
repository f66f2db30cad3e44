/**
 * The card centre's account search: one box for whatever the holder at the counter gives. Every way
 * the query can be read is tried at once (a number can be an account number, a student id and the
 * mobile's last digits), each by a key or an index, never a scan: the account number (its item), the
 * student/staff id (gsi1 PERSON#), the chip UID (CARDUID#), the name or its beginning and the mobile's
 * last 4 digits (functions/store/account-search.ts). Exact matches come first, then names in order.
 */
import type { z } from 'zod';
import { ACCOUNT_SEARCH_LIMIT, type accountSearchResult, type ACCOUNT_SEARCH_MATCHES } from '../../../shared/api/console';
import type { Deps } from '../../deps';
import { maskHolderName } from '../../domain/account';
import { accountNosByMobileLast4, accountNosByNamePrefix } from '../../store/account-search';
import { findAccountByPersonId, getAccount, getAccounts } from '../../store/accounts';
import { findCardByChipUid } from '../../store/cards';

type Match = (typeof ACCOUNT_SEARCH_MATCHES)[number];
type Result = z.infer<typeof accountSearchResult>;

const ACCOUNT_NO = /^\d{5,12}$/;
const CHIP_UID = /^[0-9A-Fa-f]{8,20}$/;
const MOBILE_LAST4 = /^\d{4}$/;

export async function searchAccounts(deps: Pick<Deps, 'db'>, query: string): Promise<{ accounts: Result[]; truncated: boolean }> {
  const text = query.trim();
  const found = new Map<string, Set<Match>>();
  const add = (match: Match, accountNos: (string | undefined)[]) => {
    for (const accountNo of accountNos) if (accountNo) found.set(accountNo, (found.get(accountNo) ?? new Set()).add(match));
  };
  // One more than the cap, so a full page says there may be more.
  const limit = ACCOUNT_SEARCH_LIMIT + 1;
  const [byNumber, byPerson, byChip, byName, byMobile] = await Promise.all([
    ACCOUNT_NO.test(text) ? getAccount(deps.db, text) : undefined,
    findAccountByPersonId(deps.db, text),
    CHIP_UID.test(text) ? findCardByChipUid(deps.db, text.toUpperCase()) : undefined,
    accountNosByNamePrefix(deps.db, text, limit),
    MOBILE_LAST4.test(text) ? accountNosByMobileLast4(deps.db, text, limit) : [],
  ]);
  add('account_no', [byNumber?.accountNo]);
  add('person_id', [byPerson?.accountNo]);
  add('chip_uid', [byChip?.accountNo]);
  add('mobile_last4', byMobile);
  add('name', byName);
  const accountNos = [...found.keys()];
  const truncated = accountNos.length > ACCOUNT_SEARCH_LIMIT;
  const accounts = new Map((await getAccounts(deps.db, accountNos.slice(0, ACCOUNT_SEARCH_LIMIT))).map((account) => [account.accountNo, account]));
  const results: Result[] = [];
  for (const accountNo of accountNos.slice(0, ACCOUNT_SEARCH_LIMIT)) {
    const account = accounts.get(accountNo);
    if (!account) continue;
    results.push({
      accountNo,
      holderNameMasked: maskHolderName(account.holderName),
      personId: account.personId,
      status: account.status,
      balanceFen: account.balanceFen,
      matchedBy: [...found.get(accountNo)!],
    });
  }
  return { accounts: results, truncated };
}
