import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kioskBalanceQuery, kioskChangePassword, kioskReportLoss, kioskSetDailyLimit, kioskUnfreeze } from '@shared/api/kiosk';
import { kioskReplacement } from '@shared/api/lifecycle';
import { bankTransfer, confirmCardLoad, reserveCardLoad } from '@shared/api/pos';
import { ERRORS, type ErrorCode } from '@shared/errors';
import { stopAlarm } from '../src/feedback';
import { KIOSK_IDLE_MS, KioskMode } from '../src/modes/kiosk';
import { fakeApi, receipt, type FakeAnswer, type FakeRequest } from './fake-api';
import { contract, renderMode } from './modes-harness';
import { alarmOn, beeps, CPU_CARD } from './render-app';

afterEach(() => {
  cleanup();
  stopAlarm();
  vi.useRealTimers();
  delete document.documentElement.dataset.beeps;
});

const LOAD_ID = `L${receipt(5)}`;

/** The kiosk routes as the platform answers them, over one account (CPU_CARD's), each answer checked against its contract. */
function kioskServer() {
  const state = {
    queryPassword: CPU_CARD.password,
    consumptionPassword: CPU_CARD.password,
    status: 'active' as 'active' | 'lost',
    balanceFen: 10_000,
    transitionalFen: 0,
    dailyLimitFen: 5_000,
    /** What the bank answers next (then it answers normally). */
    bankFailures: [] as ErrorCode[],
    transfers: new Map<string, unknown>(),
  };
  const wrong = (given: unknown, expected: string): FakeAnswer | undefined => (given === expected ? undefined : { refuse: 'PASSWORD_WRONG' });
  const handlers: Record<string, (request: FakeRequest) => FakeAnswer> = {
    'POST /v1/pos/kiosk/balance-queries': (request) =>
      wrong(request.body!.queryPassword, state.queryPassword) ??
      contract(kioskBalanceQuery, request, {
        accountNo: CPU_CARD.accountNo,
        holderDisplayName: '张*明',
        status: state.status,
        balanceFen: state.balanceFen,
        transitionalFen: state.transitionalFen,
        dailyLimitFen: state.dailyLimitFen,
        bankCardMasked: '••••0001',
      }),
    'POST /v1/pos/bank-transfers': (request) => {
      const body = request.body as { transferId: string; amountFen: number; queryPassword: string; bankPin: string };
      const earlier = state.transfers.get(body.transferId);
      if (earlier) return contract(bankTransfer, request, { ...(earlier as object), replayed: true } as never);
      const failure = state.bankFailures.shift();
      if (failure) return { refuse: failure };
      if (body.queryPassword !== state.queryPassword) return { refuse: 'PASSWORD_WRONG' };
      if (body.bankPin !== CPU_CARD.bankPin) return { refuse: 'BANK_PIN_WRONG' };
      state.transitionalFen += body.amountFen;
      const answer = { receiptNo: receipt(10 + state.transfers.size), amountFen: body.amountFen, purse: 'transitional' as const, balanceFen: state.balanceFen, transitionalFen: state.transitionalFen, replayed: false };
      state.transfers.set(body.transferId, answer);
      return contract(bankTransfer, request, answer);
    },
    'POST /v1/pos/card-loads': (request) => {
      const body = request.body as { cardTxnCounter: number; chipBalanceFen: number };
      return contract(reserveCardLoad, request, {
        load: {
          loadId: LOAD_ID,
          amountFen: state.transitionalFen,
          expectedChipBalanceAfterFen: body.chipBalanceFen + state.transitionalFen,
          expectedCardTxnCounterAfter: body.cardTxnCounter + 1,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        },
      });
    },
    'POST /v1/pos/card-loads/{loadId}/confirm': (request) => {
      const amountFen = state.transitionalFen;
      state.balanceFen += amountFen;
      state.transitionalFen = 0;
      return contract(confirmCardLoad, request, { loadId: LOAD_ID, amountFen, balanceFen: state.balanceFen, transitionalFen: 0, receiptNo: receipt(20), replayed: false });
    },
    'POST /v1/pos/kiosk/loss': (request) => wrong(request.body!.queryPassword, state.queryPassword) ?? ((state.status = 'lost'), contract(kioskReportLoss, request, { status: 'lost' })),
    'POST /v1/pos/kiosk/unfreeze': (request) => wrong(request.body!.queryPassword, state.queryPassword) ?? ((state.status = 'active'), contract(kioskUnfreeze, request, { status: 'active' })),
    'POST /v1/pos/kiosk/passwords/{kind}': (request) => {
      const kind = request.path.endsWith('/query') ? 'queryPassword' : 'consumptionPassword';
      const refused = wrong(request.body!.oldPassword, state[kind]);
      if (refused) return refused;
      if (request.body!.newPassword === state[kind]) return { refuse: 'PASSWORD_UNCHANGED' };
      state[kind] = request.body!.newPassword as string;
      return contract(kioskChangePassword, request, { changed: true });
    },
    'PUT /v1/pos/kiosk/daily-limit': (request) => {
      const refused = wrong(request.body!.consumptionPassword, state.consumptionPassword);
      if (refused) return refused;
      if ((request.body!.dailyLimitFen as number) > 100_000) return { refuse: 'DAILY_LIMIT_OUT_OF_RANGE', params: { max: 1000 } };
      state.dailyLimitFen = request.body!.dailyLimitFen as number;
      return contract(kioskSetDailyLimit, request, { dailyLimitFen: state.dailyLimitFen });
    },
    'POST /v1/pos/card-replacements': (request) => {
      const refused = wrong(request.body!.queryPassword, state.queryPassword);
      if (refused) return refused;
      if (state.balanceFen < 2000) return { refuse: 'REPLACEMENT_NEEDS_BALANCE', params: { min: 20 } };
      state.balanceFen -= 2000;
      return contract(kioskReplacement, request, { receiptNo: receipt(30), feeFen: 2000, balanceFen: state.balanceFen, newCardId: `C${request.body!.newChipUid as string}`, replayed: false });
    },
  };
  return { state, api: fakeApi(handlers) };
}

const step = () => screen.getByTestId('kiosk-step').dataset.step;
const atStep = (expected: string) => waitFor(() => expect(step()).toBe(expected));

const message = (text: string) => waitFor(() => expect(screen.getByTestId('keypad-message').textContent).toBe(text));

/** Keys on the kiosk's keypad, then 确认. */
function enter(digits: string) {
  for (const d of digits) fireEvent.click(screen.getByTestId(`keypad-${d}`));
  fireEvent.click(screen.getByTestId('keypad-confirm'));
}

async function insertAndSignIn(password = CPU_CARD.password) {
  fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
  await atStep('password');
  enter(password);
  await atStep('menu');
}

describe('kiosk mode', () => {
  it('card in → query password (each entry confirmed) → the balances, the limit and the masked bank card; a wrong password shown in Chinese', async () => {
    const { api } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    expect(step()).toBe('insert');
    expect(screen.getByTestId('kiosk-step').textContent).toContain('请插卡');
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    await atStep('password');
    for (const d of '111111') fireEvent.click(screen.getByTestId(`keypad-${d}`));
    expect(api.sent('POST /v1/pos/kiosk/balance-queries')).toHaveLength(0); // not before 确认
    fireEvent.click(screen.getByTestId('keypad-confirm'));
    await message(ERRORS.PASSWORD_WRONG.zh);
    enter(CPU_CARD.password);
    await atStep('menu');
    expect(api.sent('POST /v1/pos/kiosk/balance-queries').at(-1)!.body).toEqual({ chipUid: CPU_CARD.chipUid, queryPassword: CPU_CARD.password });
    expect(screen.getByTestId('kiosk-balance').textContent).toBe('¥100.00');
    expect(screen.getByTestId('kiosk-transitional').textContent).toBe('¥0.00');
    expect(screen.getByTestId('kiosk-daily-limit').textContent).toBe('¥50.00');
    expect(screen.getByTestId('kiosk-bank-card').textContent).toBe('••••0001');
  });

  it('bank transfer: amount, bank PIN, the same transferId across a retry when the bank cannot be reached, then 写入卡片 loads the chip', async () => {
    const { api, state } = kioskServer();
    state.bankFailures = ['BANK_UNAVAILABLE', 'BANK_UNAVAILABLE', 'BANK_UNAVAILABLE']; // one request and both of the client's resends
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-transfer'));
    await atStep('transfer');
    enter('600');
    expect(screen.getByTestId('keypad-message').textContent).toBe('充值金额须在 1 至 500 元之间');
    fireEvent.click(screen.getByTestId('keypad-clear'));
    enter('100');
    enter(CPU_CARD.bankPin);
    const failed = await screen.findByTestId('kiosk-result');
    expect(failed.dataset.status).toBe('refused');
    expect(screen.getByTestId('kiosk-reason').textContent).toBe('银行或网络暂时无法连接');
    expect(failed.textContent).toContain('点"重试"继续同一笔转账，不会重复扣款');
    fireEvent.click(screen.getByTestId('kiosk-retry'));
    await atStep('done');
    const sent = api.sent('POST /v1/pos/bank-transfers');
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((r) => r.body!.transferId)).size).toBe(1);
    expect(sent[3]!.body).toMatchObject({ chipUid: CPU_CARD.chipUid, amountFen: 10_000, queryPassword: CPU_CARD.password, bankPin: CPU_CARD.bankPin });
    expect(screen.getByTestId('kiosk-result').dataset.status).toBe('ok');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('待写入卡片 ¥100.00');

    fireEvent.click(screen.getByTestId('kiosk-load'));
    await waitFor(() => expect(screen.getByTestId('kiosk-result').textContent).toContain('已写入卡片'));
    expect(api.sent('POST /v1/pos/card-loads')[0]!.body).toEqual({ chipUid: CPU_CARD.chipUid, cardTxnCounter: 7, chipBalanceFen: 10_000 });
    expect(api.sent(`POST /v1/pos/card-loads/${LOAD_ID}/confirm`)[0]!.body).toEqual({ cardTxnCounterAfter: 8, chipBalanceAfterFen: 20_000 });
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥200.00'); // the chip was written
    fireEvent.click(screen.getByTestId('kiosk-back'));
    await atStep('menu');
    expect(screen.getByTestId('kiosk-balance').textContent).toBe('¥200.00');
    expect(screen.getByTestId('kiosk-transitional').textContent).toBe('¥0.00');
    expect(beeps()).toBe(2);
  });

  it('a card pulled away while 写入卡片 writes: the chip stays as it was, 请插卡 says so, and the next try from the menu loads it', async () => {
    const { api } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-transfer'));
    enter('30');
    enter(CPU_CARD.bankPin);
    await atStep('done');
    fireEvent.click(screen.getByTestId('card-tear'));
    fireEvent.click(screen.getByTestId('kiosk-load'));
    await atStep('insert');
    expect(screen.getByTestId('kiosk-notice').textContent).toBe('写卡中断，金额未写入卡片，请重新插卡后写入');
    expect(api.sent(`POST /v1/pos/card-loads/${LOAD_ID}/confirm`)).toHaveLength(0);
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥100.00');

    await insertAndSignIn();
    expect(screen.getByTestId('kiosk-transitional').textContent).toBe('¥30.00');
    fireEvent.click(screen.getByTestId('kiosk-load'));
    await waitFor(() => expect(screen.getByTestId('kiosk-result').textContent).toContain('已写入卡片'));
    // The second reservation reads the card as it is (unchanged), so the server can settle the torn one.
    expect(api.sent('POST /v1/pos/card-loads').map((r) => r.body)).toEqual([
      { chipUid: CPU_CARD.chipUid, cardTxnCounter: 7, chipBalanceFen: 10_000 },
      { chipUid: CPU_CARD.chipUid, cardTxnCounter: 7, chipBalanceFen: 10_000 },
    ]);
    expect(screen.getByTestId(`card-${CPU_CARD.chipUid}`).textContent).toContain('¥130.00');
  });

  it('a refused transfer (wrong bank PIN) is typed again under a new transferId; a bank refusal is shown in Chinese', async () => {
    const { api, state } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-transfer'));
    enter('50');
    enter('000000');
    await message(ERRORS.BANK_PIN_WRONG.zh);
    state.bankFailures = ['BANK_INSUFFICIENT_FUNDS'];
    enter(CPU_CARD.bankPin);
    await waitFor(() => expect(screen.getByTestId('kiosk-reason').textContent).toBe(ERRORS.BANK_INSUFFICIENT_FUNDS.zh));
    expect(alarmOn()).toBe(false); // self-service: read on the screen, no alarm at the holder
    const ids = api.sent('POST /v1/pos/bank-transfers').map((r) => r.body!.transferId);
    expect(new Set(ids).size).toBe(2);
  });

  it('reports a loss without the card (account number + query password), and unfreezes with the card', async () => {
    const { api, state } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    fireEvent.click(screen.getByTestId('kiosk-menu-loss'));
    await atStep('loss');
    enter(CPU_CARD.accountNo);
    enter('999999');
    await message(ERRORS.PASSWORD_WRONG.zh);
    enter(CPU_CARD.password);
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('挂失成功');
    expect(api.sent('POST /v1/pos/kiosk/loss').at(-1)!.body).toEqual({ accountNo: CPU_CARD.accountNo, queryPassword: CPU_CARD.password });
    expect(state.status).toBe('lost');
    fireEvent.click(screen.getByTestId('kiosk-back'));
    await atStep('insert');

    await insertAndSignIn();
    expect(screen.getByTestId('kiosk-status').textContent).toBe('已挂失');
    expect(screen.queryByTestId('kiosk-menu-transfer')).toBeNull();
    fireEvent.click(screen.getByTestId('kiosk-menu-unfreeze'));
    await atStep('unfreeze');
    enter(CPU_CARD.password);
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('解挂成功');
    expect(api.sent('POST /v1/pos/kiosk/unfreeze')[0]!.body).toEqual({ chipUid: CPU_CARD.chipUid, queryPassword: CPU_CARD.password });
    fireEvent.click(screen.getByTestId('kiosk-back'));
    await atStep('menu');
    expect(screen.getByTestId('kiosk-status').textContent).toBe('正常');
  });

  it('changes the query password (old, new, confirm; a mismatch is typed again) and later requests use the new one', async () => {
    const { api, state } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-password-change'));
    fireEvent.click(screen.getByTestId('kiosk-pw-query'));
    enter(CPU_CARD.password);
    enter('246810');
    enter('246811');
    expect(screen.getByTestId('keypad-message').textContent).toBe('两次输入的新密码不一致，请重新输入');
    enter('246810');
    enter('246810');
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('查询密码已修改');
    expect(api.sent('POST /v1/pos/kiosk/passwords/query')).toHaveLength(1);
    expect(api.sent('POST /v1/pos/kiosk/passwords/query')[0]!.body).toEqual({ chipUid: CPU_CARD.chipUid, oldPassword: CPU_CARD.password, newPassword: '246810' });
    expect(state.queryPassword).toBe('246810');

    fireEvent.click(screen.getByTestId('kiosk-back'));
    fireEvent.click(screen.getByTestId('kiosk-menu-transfer'));
    enter('20');
    enter(CPU_CARD.bankPin);
    await atStep('done');
    expect(api.sent('POST /v1/pos/bank-transfers')[0]!.body!.queryPassword).toBe('246810');
  });

  it('changes the consumption password and the daily limit (with the consumption password); refusals in Chinese', async () => {
    const { api, state } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-password-change'));
    fireEvent.click(screen.getByTestId('kiosk-pw-consumption'));
    enter(CPU_CARD.password);
    enter(CPU_CARD.password);
    enter(CPU_CARD.password);
    await message(ERRORS.PASSWORD_UNCHANGED.zh);
    enter('135790');
    enter('135790');
    await atStep('done');
    expect(state.consumptionPassword).toBe('135790');

    fireEvent.click(screen.getByTestId('kiosk-back'));
    fireEvent.click(screen.getByTestId('kiosk-menu-daily-limit'));
    await atStep('daily-limit');
    enter('2000');
    enter('135790');
    await message('每日限额须在 0 至 1000 元之间');
    fireEvent.click(screen.getByTestId('keypad-clear'));
    enter('80');
    enter('135790');
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('新的每日限额 ¥80.00');
    expect(api.sent('PUT /v1/pos/kiosk/daily-limit').at(-1)!.body).toEqual({ chipUid: CPU_CARD.chipUid, dailyLimitFen: 8000, consumptionPassword: '135790' });
    fireEvent.click(screen.getByTestId('kiosk-back'));
    await atStep('menu');
    expect(screen.getByTestId('kiosk-daily-limit').textContent).toBe('¥80.00');
  });

  it('replaces the card with a blank card: the fee shown; not enough balance refused in Chinese', async () => {
    const { api, state } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-replace'));
    await atStep('replace');
    fireEvent.change(screen.getByTestId('kiosk-new-uid'), { target: { value: '12ab' } });
    fireEvent.click(screen.getByTestId('kiosk-new-uid-confirm'));
    expect(screen.getByTestId('kiosk-step').textContent).toContain('芯片号须为 8 至 20 位十六进制字符');
    const blank = screen.getAllByTestId(/^kiosk-blank-/)[0]!;
    const uid = blank.dataset.testid!.replace('kiosk-blank-', '');
    fireEvent.click(blank);
    enter(CPU_CARD.password);
    await atStep('done');
    const result = screen.getByTestId('kiosk-result');
    expect(result.dataset.status).toBe('ok');
    expect(result.textContent).toContain('工本费 ¥20.00');
    expect(result.textContent).toContain('余额 ¥80.00');
    expect(api.sent('POST /v1/pos/card-replacements')[0]!.body).toMatchObject({ accountNo: CPU_CARD.accountNo, queryPassword: CPU_CARD.password, newChipUid: uid, newKind: 'cpu' });

    // Without a card, and too little money left.
    fireEvent.click(screen.getByTestId('kiosk-eject'));
    await atStep('insert');
    state.balanceFen = 1500;
    fireEvent.click(screen.getByTestId('kiosk-menu-replace'));
    fireEvent.change(screen.getByTestId('kiosk-new-uid'), { target: { value: 'a1b2c3d4e5' } });
    fireEvent.click(screen.getByTestId('kiosk-new-uid-confirm'));
    enter(CPU_CARD.accountNo);
    enter(CPU_CARD.password);
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').dataset.status).toBe('refused');
    expect(screen.getByTestId('kiosk-reason').textContent).toBe('自助补卡需要余额不少于 20 元（扣除工本费）');
    expect(api.sent('POST /v1/pos/card-replacements')[1]!.body).toMatchObject({ newChipUid: 'A1B2C3D4E5', accountNo: CPU_CARD.accountNo });
  });

  it('a replacement with no answer is sent again under the same replacementId', async () => {
    const { api } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-replace'));
    fireEvent.click(screen.getAllByTestId(/^kiosk-blank-/)[0]!);
    const replace = api.handlers['POST /v1/pos/card-replacements']!;
    let unavailable = 3; // the request and both of the client's resends
    api.handlers['POST /v1/pos/card-replacements'] = (request, self) => (unavailable-- > 0 ? { refuse: 'DATABASE_UNAVAILABLE' } : replace(request, self));
    enter(CPU_CARD.password);
    await waitFor(() => expect(screen.getByTestId('kiosk-result').dataset.status).toBe('refused'));
    expect(step()).toBe('replace');
    fireEvent.click(screen.getByTestId('kiosk-retry'));
    await atStep('done');
    expect(screen.getByTestId('kiosk-result').textContent).toContain('补卡成功');
    const ids = api.sent('POST /v1/pos/card-replacements').map((r) => r.body!.replacementId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(1);
  });

  it('the card taken out goes back to 请插卡; 60 s untouched ejects the card and starts again, a touch re-arms the timer', async () => {
    const { api } = kioskServer();
    await renderMode(<KioskMode />, { kind: 'kiosk', api, cards: [CPU_CARD] });
    await insertAndSignIn();
    fireEvent.click(screen.getByTestId('kiosk-menu-transfer'));
    await atStep('transfer');
    fireEvent.click(screen.getByTestId('card-remove'));
    await atStep('insert');

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fireEvent.click(screen.getByTestId(`card-${CPU_CARD.chipUid}`));
    expect(step()).toBe('password');
    act(() => vi.advanceTimersByTime(KIOSK_IDLE_MS - 1000));
    fireEvent.pointerDown(screen.getByTestId('keypad-1')); // a touch
    fireEvent.click(screen.getByTestId('keypad-1'));
    act(() => vi.advanceTimersByTime(KIOSK_IDLE_MS - 1000));
    expect(step()).toBe('password');
    act(() => vi.advanceTimersByTime(1000));
    expect(step()).toBe('insert');
    expect(screen.getByTestId('card-remove').hasAttribute('disabled')).toBe(true); // ejected
  });
});
