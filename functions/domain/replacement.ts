/** A holder's request, from the app, for a replacement card prepared by the card centre. */
export interface ReplacementRequest {
  requestId: string;
  accountNo: string;
  kind: 'cpu' | 'm1';
  /** requested: waiting at the card centre; issued: the new card was handed over. */
  status: 'requested' | 'issued';
  /** The fee as the policy stood when asked; the card centre charges the policy's fee at hand-over. */
  feeFen: number;
  requestedAt: string;
  issuedAt?: string;
  newCardId?: string;
  receiptNo?: string;
}
