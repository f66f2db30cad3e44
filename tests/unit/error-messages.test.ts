/** The zh/en error table with parameters (issue 11, item 11): templates agree, raisers pass the policy's numbers. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../functions/app-error';
import { assertTopupAmount } from '../../functions/domain/topup';
import { toErrorResponse } from '../../functions/http/route';
import { ERRORS, errorBody, placeholders, renderMessage, yuanParam, type ErrorCode } from '../../shared/errors';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('the error table', () => {
  it.each(codes)('%s: zh and en name the same parameters', (code) => {
    expect(placeholders(ERRORS[code].zh).sort()).toEqual(placeholders(ERRORS[code].en).sort());
  });

  it('no message writes a policy number itself (minutes, yuan): they are parameters', () => {
    const hardCoded = codes.filter((code) => /\d+\s*(分钟|元|minutes?|yuan)/.test(ERRORS[code].zh + ' ' + ERRORS[code].en));
    expect(hardCoded).toEqual([]);
  });

  it('the parameterised codes', () => {
    const named = Object.fromEntries(codes.filter((code) => placeholders(ERRORS[code].zh).length).map((code) => [code, placeholders(ERRORS[code].zh)]));
    expect(named).toMatchObject({
      PASSWORD_LOCKED: ['minutes'],
      BINDING_LOCKED: ['minutes'],
      DAILY_LIMIT_OUT_OF_RANGE: ['max'],
      REPLACEMENT_NEEDS_BALANCE: ['min'],
      TOPUP_AMOUNT_OUT_OF_RANGE: ['min', 'max'],
      STATEMENT_PERIOD_NOT_ENDED: ['minutes'],
    });
  });
});

describe('messages with parameters', () => {
  it('renders a template, and leaves a missing parameter visible rather than inventing one', () => {
    expect(renderMessage('锁定 {minutes} 分钟', { minutes: 15 })).toBe('锁定 15 分钟');
    expect(renderMessage('{min} 至 {max} 元', { min: '1' })).toBe('1 至 {max} 元');
    expect(yuanParam(60_000)).toBe('600');
    expect(yuanParam(150)).toBe('1.50');
  });

  it('an AppError carries its params into the error body: the message rendered, and the params for the app’s own words', () => {
    const { status, body } = toErrorResponse(new AppError('PASSWORD_LOCKED', 'query password of 1', { minutes: 45 }), 'req-1');
    expect(status).toBe(423);
    expect(body).toEqual({
      code: 'PASSWORD_LOCKED',
      message: { zh: '密码错误次数过多，已锁定 45 分钟', en: 'Too many wrong attempts: locked for 45 minutes' },
      params: { minutes: 45 },
      requestId: 'req-1',
    });
    expect(errorBody('INSUFFICIENT_BALANCE')).toEqual({ code: 'INSUFFICIENT_BALANCE', message: { zh: '余额不足', en: 'Insufficient balance' } });
  });

  it('a raiser must pass what the message names (checked by the type)', () => {
    // @ts-expect-error PASSWORD_LOCKED names {minutes}: without them this does not compile.
    const missing = new AppError('PASSWORD_LOCKED', 'x');
    // @ts-expect-error the wrong name does not compile either.
    const wrong = new AppError('DAILY_LIMIT_OUT_OF_RANGE', 'x', { maximum: 1 });
    expect([missing.params, wrong.params]).toEqual([undefined, { maximum: 1 }]);
    expect(new AppError('INSUFFICIENT_BALANCE').params).toBeUndefined();
  });

  it.each([
    ['wechat', 50, { min: '1', max: '999' }],
    ['bank', 60_000, { min: '1', max: '500' }],
  ] as const)('a %s top-up out of range says its own channel’s range', (channel, amountFen, params) => {
    try {
      assertTopupAmount(amountFen, channel);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'TOPUP_AMOUNT_OUT_OF_RANGE', params });
      expect(errorBody('TOPUP_AMOUNT_OUT_OF_RANGE', { params: (error as AppError).params! }).message.zh).toBe(`充值金额须在 ${params.min} 至 ${params.max} 元之间`);
    }
  });
});
