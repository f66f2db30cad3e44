/** The refund number an order's refund always has: one per order, and acceptable to both platforms. */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { refundIdOf } from '../../functions/domain/topup';

describe('refundIdOf', () => {
  it.each(Array.from({ length: 5 }, () => `T${ulid()}`))('%s: the same every time, and fits WeChat out_refund_no and Alipay out_request_no', (orderId) => {
    expect(refundIdOf(orderId)).toBe(refundIdOf(orderId));
    expect(refundIdOf(orderId)).not.toBe(orderId);
    // WeChat: 1–64 of [0-9A-Za-z_-|*@]; Alipay (and our channel's own rule): letters and digits, at most 32.
    expect(refundIdOf(orderId)).toMatch(/^[A-Za-z0-9]{1,32}$/);
  });
});
