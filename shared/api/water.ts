/** Routes for water control terminals (docs/water.md): pre-deduction controllers, settlement terminals, and the controllers' uploads. Signed like every terminal request. */
import * as z from 'zod';
import { amountFen, balanceFen, MAX_AMOUNT_FEN } from '../money';
import { accountNo, externalId, ulidString } from './common';
import { defineRoute } from './contract';

const tapId = externalId.meta({ description: "The terminal's own id for this tap: a retry with the same id answers the same and never moves money twice" });
const chipUid = z.string().regex(/^[0-9A-F]{8,20}$/, { error: 'a chip UID is 8 to 20 upper-case hex digits' }).meta({ description: 'The tapped card, judged by its own status (a lost or void card is refused)' });
const holderDisplayName = z.string().meta({ description: 'Masked holder name for the screen, e.g. 张*明' });

/** A CPU card's main purse as read at the tap (like a card charge): the water moves the balance the chip carries. */
const chipRead = {
  chipBalanceFen: balanceFen.optional().meta({ description: "What the chip's main purse holds, as read at this tap (required for a CPU card)" }),
  cardTxnCounter: z.number().int().min(0).max(2 ** 32 - 1).optional().meta({ description: "The CPU card's online transaction counter, as read (required for a CPU card)" }),
};
const chipBalanceToWriteFen = balanceFen.optional().meta({
  description:
    "Write this to the chip's main purse (present for a CPU card when this tap moved money): the account balance after this tap, less card spending the chip has that is not uploaded yet; see docs/water.md",
});

/** Why a tap can be refused because of the card or the account. */
const CARD_REFUSALS = ['CARD_NOT_FOUND', 'CARD_LOST', 'CARD_VOID', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED', 'ACCOUNT_NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'BUSY_RETRY'] as const;

export const waterSessionOpenBody = z.strictObject({ tapId, chipUid, ...chipRead }).meta({ id: 'WaterSessionTap' });

export const waterSessionOpenResponse = z
  .object({
    sessionId: z.string(),
    accountNo,
    holderDisplayName,
    preloadedFen: amountFen.meta({ description: 'Pre-deducted into the small wallet: the policy amount (10 yuan), or the whole balance if less; the most this session can use' }),
    balanceFen: balanceFen.meta({ description: 'The account balance after the pre-deduction' }),
    smallWalletFen: balanceFen,
    receiptNo: ulidString,
    expiresAt: z.iso.datetime().meta({ description: 'Not settled by then (or tapped at another controller first): all of it goes back to the balance' }),
    chipBalanceToWriteFen,
    postedAt: z.iso.datetime(),
    replayed: z.boolean(),
  })
  .meta({ id: 'WaterSession' });

export const openWaterSession = defineRoute({
  operationId: 'openWaterSession',
  method: 'POST',
  path: '/v1/pos/water/sessions',
  auth: 'terminal',
  summary: 'Pre-deduction controller, first tap: pre-deduct the small wallet and start the water',
  description:
    'Moves the policy amount (or the whole balance if less) into the small wallet as a pending transfer to the water merchant. A session still open at another controller is given back whole first (orphaned). Idempotent on tapId per terminal.',
  tags: ['pos', 'water'],
  body: waterSessionOpenBody,
  response: waterSessionOpenResponse,
  errors: ['INSUFFICIENT_BALANCE', 'SMALL_WALLET_IN_USE', 'SMALL_WALLET_HELD_ON_CHIP', 'CHIP_READ_REQUIRED', ...CARD_REFUSALS],
});

export const waterSessionSettleBody = z
  .strictObject({ tapId, chipUid, usedFen: z.number().int({ error: 'must be a whole number of fen' }).min(0, { error: 'must be 0 or more fen' }).max(MAX_AMOUNT_FEN, { error: `must be at most ${MAX_AMOUNT_FEN} fen` }).meta({ description: 'What the controller measured (0: no water ran)' }), ...chipRead })
  .meta({ id: 'WaterSessionSettlementTap' });

export const waterSessionSettleResponse = z
  .object({
    accountNo,
    holderDisplayName,
    usedFen: balanceFen,
    refundedFen: balanceFen.meta({ description: 'The unused part of the pre-deduction, back on the balance' }),
    balanceFen,
    smallWalletFen: balanceFen,
    chipBalanceToWriteFen,
    receiptNo: ulidString,
    postedAt: z.iso.datetime(),
    replayed: z.boolean(),
  })
  .meta({ id: 'WaterSessionSettlement' });

export const settleWaterSession = defineRoute({
  operationId: 'settleWaterSession',
  method: 'POST',
  path: '/v1/pos/water/sessions/settlement',
  auth: 'terminal',
  summary: 'Pre-deduction controller, second tap: settle the water used and refund the rest',
  description: 'Only at the controller that pre-deducted, while its session is open. Idempotent on tapId per terminal.',
  tags: ['pos', 'water'],
  body: waterSessionSettleBody,
  response: waterSessionSettleResponse,
  errors: ['SMALL_WALLET_NOT_IN_USE', 'SMALL_WALLET_USAGE_INVALID', 'INVALID_AMOUNT', 'CHIP_READ_REQUIRED', ...CARD_REFUSALS],
});

export const walletSettlementBody = z
  .strictObject({ tapId, chipUid, chipWalletFen: balanceFen.meta({ description: "The chip's small-wallet balance as read at this tap" }), ...chipRead })
  .meta({ id: 'WalletSettlementTap' });

export const walletSettlementResponse = z
  .object({
    tapId: z.string(),
    accountNo,
    holderDisplayName,
    usageFen: balanceFen.meta({ description: 'Water used since the last settlement (what was loaded less what the chip holds), settled to the water merchant' }),
    refillFen: balanceFen.meta({ description: 'Moved from the balance into the small wallet, up to the cap (10 yuan)' }),
    refillRefused: z.enum(['CARD_LOST', 'CARD_FROZEN', 'CARD_CANCELLED', 'CARD_EXPIRED']).optional().meta({ description: 'Why nothing was loaded although the wallet had room (the usage was settled anyway)' }),
    balanceFen,
    smallWalletFen: balanceFen,
    chipWalletToWriteFen: balanceFen.meta({
      description: "Write this to the chip's small wallet, only if the chip still holds chipWalletFen as read (a retry answers the same; see docs/water.md)",
    }),
    chipBalanceToWriteFen: chipBalanceToWriteFen.meta({
      description:
        "Write this to the chip's main purse with the small wallet, in the same card write (present for a CPU card when the tap moved money): the account balance after the refill, less card spending not uploaded yet",
    }),
    receiptNos: z.array(ulidString).meta({ description: 'The usage and the refill receipts (none when nothing moved)' }),
    settledAt: z.iso.datetime(),
    replayed: z.boolean(),
  })
  .meta({ id: 'WalletSettlement' });

export const settleChipWalletRoute = defineRoute({
  operationId: 'settleChipWallet',
  method: 'POST',
  path: '/v1/pos/water/wallet-settlements',
  auth: 'terminal',
  summary: 'Settlement terminal: settle the water used from the chip’s small wallet and load it back up to the cap',
  description:
    'The usage is the small wallet we loaded less what the chip holds now; a chip holding more is refused (SMALL_WALLET_CHIP_AHEAD) and nothing moves. Two movements (usage, then refill), both idempotent on tapId per terminal: a retry finishes what is missing and answers the same.',
  tags: ['pos', 'water'],
  body: walletSettlementBody,
  response: walletSettlementResponse,
  errors: ['SMALL_WALLET_CHIP_AHEAD', 'SMALL_WALLET_IN_USE', 'SMALL_WALLET_USAGE_INVALID', 'CHIP_READ_REQUIRED', ...CARD_REFUSALS],
});

export const usageRecordBody = z.strictObject({
  recordId: externalId.meta({ description: "The controller's own id for the record: uploading it again stores nothing new" }),
  chipUid,
  occurredAt: z.iso.datetime().meta({ description: "When the water ran (the controller's clock)" }),
  amountFen,
  chipWalletAfterFen: balanceFen.optional().meta({ description: "What the chip's small wallet held after" }),
});

export const usageUploadBody = z
  .strictObject({
    records: z
      .array(usageRecordBody)
      .min(1)
      .max(200)
      .refine((records) => new Set(records.map((r) => r.recordId)).size === records.length, { error: 'recordId must be unique within an upload' }),
  })
  .meta({ id: 'WaterUsageUpload' });

export const usageUploadResponse = z
  .object({
    results: z.array(
      z.object({
        recordId: z.string(),
        outcome: z.enum(['stored', 'conflict', 'unknown_card']).meta({
          description: 'stored: kept (replayed: it was already); conflict: a different record under an id already stored (the first is kept); unknown_card: no card has this chip UID (not stored)',
        }),
        replayed: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'WaterUsageUploadResult' });

export const uploadWaterUsageRoute = defineRoute({
  operationId: 'uploadWaterUsage',
  method: 'POST',
  path: '/v1/pos/water/usage-uploads',
  auth: 'terminal',
  summary: 'Water controllers upload the usage they took from chips offline (no money moves; checked against the settlements)',
  description:
    'Idempotent per controller and record. The settlement terminal already settled the usage from the chip’s reading; records summing to more than a settlement took, or never settled a day later, become reconciliation findings for the card centre.',
  tags: ['pos', 'water'],
  body: usageUploadBody,
  response: usageUploadResponse,
  errors: [],
});
