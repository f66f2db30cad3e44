/** Utility payments (缴费): the campus network fee by the week and dormitory electricity, from the balance. */
import * as z from 'zod';
import { amountFen, balanceFen } from '../money';
import { campusDay, externalId, ulidString } from './common';
import { defineRoute } from './contract';

/** An ISO 8601 week (Asia/Shanghai), e.g. 2026-W49. */
export const isoWeek = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { error: 'an ISO week, YYYY-Www' });
/** A dormitory room: building and room number, e.g. 3-512 (the power system says whether it exists). */
export const roomId = z.string().regex(/^[A-Za-z0-9]{1,6}-\d{3,4}$/, { error: 'a room, e.g. 3-512' });
const sixDigits = z.string().regex(/^\d{6}$/, { error: 'a password is 6 digits' });
/** The app's own id for this payment: a retry with the same id is the same payment. */
const requestId = externalId.min(8).meta({ description: "The app's id for this payment; retry with the same id (answered as the first time)" });
const consumptionPassword = sixDigits.optional().meta({ description: 'Needed when the payment takes today\'s spending above the daily limit (PASSWORD_REQUIRED), as at a POS' });

export const utilityPaymentView = z
  .object({
    receiptNo: ulidString,
    system: z.enum(['network', 'electricity']),
    amountFen,
    weeks: z.array(isoWeek).optional(),
    roomId: roomId.optional(),
    delivery: z.enum(['pending', 'delivered', 'refunded']).meta({
      description: 'pending: paid, on its way to the system (retried while it is down); delivered: the system has it; refunded: the system refused it or never took it in time, the money is back on the balance',
    }),
    createdAt: z.iso.datetime(),
    refundReceiptNo: ulidString.optional(),
  })
  .meta({ id: 'UtilityPayment' });

export const utilitiesView = z
  .object({
    network: z.object({
      status: z.enum(['registered', 'suspended', 'unknown', 'not_student', 'unavailable']).meta({
        description: 'The campus network account as the network system says (unknown: not registered; unavailable: the system did not answer)',
      }),
      eligible: z.boolean(),
      currentWeek: isoWeek,
      nextWeek: isoWeek.meta({ description: 'The first unpaid week from this one on: where the next payment starts' }),
      weeklyFeeFen: balanceFen,
      maxWeeks: z.number().int().min(1),
      paidWeeks: z.array(z.object({ week: isoWeek, from: campusDay, to: campusDay, receiptNo: ulidString })),
    }),
    electricity: z.object({ minFen: balanceFen, maxFen: balanceFen }),
    payments: z.array(utilityPaymentView).meta({ description: 'The latest payments, newest first' }),
  })
  .meta({ id: 'Utilities' });

const paymentAnswer = z
  .object({ payment: utilityPaymentView, balanceFen, replayed: z.boolean() })
  .meta({ id: 'UtilityPaymentResult' });

const spendingErrors = ['UTILITY_MERCHANT_UNAVAILABLE', 'ACCOUNT_NOT_FOUND', 'INSUFFICIENT_BALANCE', 'PASSWORD_REQUIRED', 'PASSWORD_WRONG', 'PASSWORD_LOCKED', 'PASSWORD_NOT_SET', 'CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'] as const;

export const getUtilities = defineRoute({
  operationId: 'getUtilities',
  method: 'GET',
  path: '/v1/holder/utilities',
  auth: 'holder',
  summary: 'The 缴费 page: the network account, its paid weeks, the next week and the weekly fee; the electricity range; the latest payments',
  tags: ['holder', 'utilities'],
  response: utilitiesView,
  errors: ['ACCOUNT_NOT_FOUND'],
});

export const networkFeeBody = z
  .strictObject({
    requestId,
    fromWeek: isoWeek.meta({ description: 'The first unpaid week (nextWeek of the utilities view), as the holder confirmed it' }),
    weeks: z.number().int().min(1).meta({ description: '1 to maxWeeks consecutive weeks' }),
    consumptionPassword,
  })
  .meta({ id: 'NetworkFeeRequest' });

export const payNetworkFee = defineRoute({
  operationId: 'payNetworkFee',
  method: 'POST',
  path: '/v1/holder/utilities/network-fee',
  auth: 'holder',
  summary: 'Pay the campus network fee for 1 to 4 weeks from the first unpaid one (students with an active network account); never a week twice',
  tags: ['holder', 'utilities'],
  body: networkFeeBody,
  response: paymentAnswer,
  successStatus: 201,
  errors: [
    ...spendingErrors,
    'NETWORK_FEE_STUDENTS_ONLY',
    'NETWORK_ACCOUNT_NOT_REGISTERED',
    'NETWORK_ACCOUNT_SUSPENDED',
    'NETWORK_WEEKS_OUT_OF_RANGE',
    'NETWORK_WEEK_ALREADY_PAID',
    'NETWORK_WEEK_NOT_NEXT',
    'NETWORK_SYSTEM_UNAVAILABLE',
  ],
});

export const electricityBody = z
  .strictObject({ requestId, roomId, amountFen, consumptionPassword })
  .meta({ id: 'ElectricityRequest' });

export const payElectricity = defineRoute({
  operationId: 'payElectricity',
  method: 'POST',
  path: '/v1/holder/utilities/electricity',
  auth: 'holder',
  summary: "Pay electricity into a dormitory room's meter account (any payer); delivered exactly once, retried while the power system is down, refunded if it refuses",
  tags: ['holder', 'utilities'],
  body: electricityBody,
  response: paymentAnswer,
  successStatus: 201,
  errors: [...spendingErrors, 'ELECTRICITY_AMOUNT_OUT_OF_RANGE', 'ELECTRICITY_ROOM_UNKNOWN', 'ELECTRICITY_ROOM_CLOSED', 'ELECTRICITY_SYSTEM_UNAVAILABLE'],
});

export const getUtilityPayment = defineRoute({
  operationId: 'getUtilityPayment',
  method: 'GET',
  path: '/v1/holder/utilities/payments/{receiptNo}',
  auth: 'holder',
  summary: "One of the holder's utility payments and its delivery (poll while pending)",
  tags: ['holder', 'utilities'],
  params: z.strictObject({ receiptNo: ulidString }),
  response: utilityPaymentView,
  errors: ['UTILITY_PAYMENT_NOT_FOUND'],
});
