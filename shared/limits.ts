/** Limits the holder's app must show and check before asking, and the server enforces: one place for both. */

/** WeChat Pay / Alipay in the app: 1 to 999 yuan per payment. */
export const ONLINE_TOPUP_MIN_FEN = 100;
export const ONLINE_TOPUP_MAX_FEN = 99_900;

/** The most a holder may set as daily limit (600 yuan; campus policy may set less). */
export const MAX_DAILY_LIMIT_FEN = 60_000;
