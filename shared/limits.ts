/**
 * Fixed ceilings of the card system, shared by the server and the admin policy form. The numbers a
 * holder's app shows come from the server (the account view's `policy`), never from here.
 */

/** WeChat Pay / Alipay in the app: 1 to 999 yuan per payment. */
export const ONLINE_TOPUP_MIN_FEN = 100;
export const ONLINE_TOPUP_MAX_FEN = 99_900;

/** The highest daily limit any campus policy may allow (600 yuan); the campus's own maximum is CampusPolicy.maxDailyLimitFen. */
export const MAX_DAILY_LIMIT_FEN = 60_000;
