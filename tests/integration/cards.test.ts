import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { campusDay } from '../../functions/domain/campus-day';
import type { Card } from '../../functions/domain/card';
import { getAccount } from '../../functions/store/accounts';
import { findCardByChipUid, issueCard, listCards } from '../../functions/store/cards';
import { createTestAccount } from '../helpers/fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform();

function card(accountNo: string, cardId: string, kind: Card['kind'], chipUid?: string): Card {
  const now = new Date();
  return { cardId, accountNo, kind, ...(chipUid ? { chipUid } : {}), status: 'active', issuedAt: now.toISOString(), issuedOn: campusDay(now) };
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof AppError) return error.code;
      throw error;
    },
  );
}

describe('cards', () => {
  it('an account has one active physical card, plus its electronic card; the chip UID finds the card', async () => {
    const account = await createTestAccount(platform.deps);
    await issueCard(platform.deps.db, card(account.accountNo, 'C-1', 'cpu', '04A224B2C15E80'));
    await issueCard(platform.deps.db, card(account.accountNo, 'E-1', 'electronic'));
    expect(await refusal(issueCard(platform.deps.db, card(account.accountNo, 'C-2', 'm1', '04FFFF00000001')))).toBe('CARD_ALREADY_ISSUED');
    expect((await listCards(platform.deps.db, account.accountNo)).map((c) => c.cardId).sort()).toEqual(['C-1', 'E-1']);
    expect((await getAccount(platform.deps.db, account.accountNo))?.activePhysicalCardId).toBe('C-1');
    expect(await findCardByChipUid(platform.deps.db, '04A224B2C15E80')).toMatchObject({ cardId: 'C-1', accountNo: account.accountNo, kind: 'cpu' });
    expect(await findCardByChipUid(platform.deps.db, '04FFFF00000001')).toBeUndefined();
  });

  it('a chip UID belongs to one card ever', async () => {
    const [a, b] = [await createTestAccount(platform.deps), await createTestAccount(platform.deps)];
    await issueCard(platform.deps.db, card(a.accountNo, 'C-A', 'cpu', '04UNIQUE000001'));
    expect(await refusal(issueCard(platform.deps.db, card(b.accountNo, 'C-B', 'cpu', '04UNIQUE000001')))).toBe('CARD_UID_TAKEN');
    expect(await listCards(platform.deps.db, b.accountNo)).toEqual([]);
    expect((await getAccount(platform.deps.db, b.accountNo))?.activePhysicalCardId).toBeUndefined();
  });

  it('refuses a physical card without a chip UID, and a card for an account that does not exist', async () => {
    const account = await createTestAccount(platform.deps);
    expect(await refusal(issueCard(platform.deps.db, card(account.accountNo, 'C-X', 'cpu')))).toBe('VALIDATION_FAILED');
    await expect(issueCard(platform.deps.db, card('99999990', 'E-X', 'electronic'))).rejects.toThrow();
    expect(await listCards(platform.deps.db, '99999990')).toEqual([]);
  });
});
