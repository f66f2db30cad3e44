import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors';
import { MOVEMENT_TYPES } from '../../shared/vocabulary';
import { ApiError } from '../src/lib/api';
import { errorText, movementName, t, TEXT_KEYS } from '../src/lib/i18n';

describe('the app’s words', () => {
  it('every text exists in both languages with the same placeholders', () => {
    for (const key of TEXT_KEYS) {
      const zh = t('zh', key);
      const en = t('en', key);
      expect(zh.length, key).toBeGreaterThan(0);
      expect(en.length, key).toBeGreaterThan(0);
      expect(placeholders(zh), key).toEqual(placeholders(en));
    }
  });

  it('fills placeholders', () => {
    expect(t('zh', 'topup.paid', { amount: '50.00' })).toBe('充值成功，¥50.00 已到账');
    expect(t('en', 'topup.paid', { amount: '50.00' })).toBe('Done: ¥50.00 credited');
  });

  it('names every movement type', () => {
    for (const type of MOVEMENT_TYPES) {
      expect(movementName('zh', type)).toMatch(/\p{Script=Han}/u);
      expect(movementName('en', type)).toMatch(/^[A-Z]/);
    }
  });
});

describe('errors reach people as words, never codes', () => {
  it('shows the server’s message in the chosen language for every code the server has', () => {
    for (const [code, text] of Object.entries(ERRORS)) {
      const error = new ApiError(code, text.status, { zh: text.zh, en: text.en });
      expect(errorText('zh', error)).toBe(text.zh);
      expect(errorText('en', error)).toBe(text.en);
      expect(errorText('en', error)).not.toContain(code);
    }
  });

  it('says “no network” itself, and something plain for anything else', () => {
    expect(errorText('zh', new ApiError('NETWORK', 0))).toBe('网络不可用，请检查网络后重试');
    expect(errorText('en', new ApiError('BAD_RESPONSE', 502))).toBe('Something went wrong; please retry');
    expect(errorText('en', new TypeError('Cannot read properties of undefined (reading "x")'))).toBe('Something went wrong; please retry');
  });
});

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

