/** Spending at a glance (消费分析): the holder's spending by month and category, for the mini-program's chart. */
import * as z from 'zod';
import { SPENDING_CATEGORIES } from '../vocabulary';
import { defineRoute } from './contract';
import { statementMonth } from './holder';

/** How many months the chart may ask for: half a year by default, a year at most (one bounded Query). */
export const SPENDING_MONTHS = { default: 6, max: 12 } as const;

export const getHolderSpending = defineRoute({
  operationId: 'getHolderSpending',
  method: 'GET',
  path: '/v1/holder/spending',
  auth: 'holder',
  summary: 'Spending per month and category (canteen, shop, water, utilities, other), oldest month first, ending with this campus month',
  tags: ['holder'],
  query: z.strictObject({
    months: z.coerce.number().int().min(1).max(SPENDING_MONTHS.max).default(SPENDING_MONTHS.default).meta({ description: `Months to return (1–${SPENDING_MONTHS.max})` }),
  }),
  response: z
    .object({
      months: z.array(
        z.object({
          month: statementMonth,
          totalFen: z.number().int().min(0),
          byCategory: z.array(z.object({ category: z.enum(SPENDING_CATEGORIES), amountFen: z.number().int().min(0), count: z.number().int().min(0) })),
        }),
      ),
    })
    .meta({ id: 'HolderSpending' }),
  errors: [],
});
