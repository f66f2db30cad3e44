/** Merchants and their POS terminals. A terminal belongs to one merchant and one place, and must not move. */
export const MERCHANT_CATEGORIES = ['canteen', 'shop', 'shower', 'water', 'clinic', 'library', 'bus', 'gate', 'kiosk', 'utility'] as const;
export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

export interface Merchant {
  merchantId: string;
  name: string;
  category: MerchantCategory;
  status: 'active' | 'suspended';
  createdAt: string;
}

export interface Terminal {
  terminalId: string;
  merchantId: string;
  /** Where the terminal is installed, e.g. "一食堂 2F 窗口 3". */
  place: string;
  /** Shared secret for request signatures (HMAC-SHA256). Never returned by any API. */
  secret: string;
  status: 'active' | 'disabled';
  createdAt: string;
}
