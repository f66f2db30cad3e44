/**
 * The client polls a waiting payment-code sale inside sell(); the cashier should still see that the
 * payer is typing a password. The app hands the client this fetch, which looks at payment-code
 * answers on their way and tells listeners which sale is waiting.
 */
type Listener = (posTxnId: string) => void;
const listeners = new Set<Listener>();

export function onPaymentCodeWaiting(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function observingFetch(inner: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return async (input, init) => {
    const answer = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('/v1/pos/payment-codes') && answer.ok) {
      void answer
        .clone()
        .json()
        .then((body: { status?: string; posTxnId?: string }) => {
          if (body.status === 'waiting' && body.posTxnId) for (const listener of listeners) listener(body.posTxnId);
        })
        .catch(() => undefined);
    }
    return answer;
  };
}
