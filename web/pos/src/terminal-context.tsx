/**
 * The terminal's shared state for every mode: the client, whether the API can be reached (a failed
 * ping, or the drill switch: DOMAIN.md forbids going offline while the network works, so offline
 * is practised as a drill), the queued offline records, the bundle, and the outcome of the last
 * upload. The provider pings every few seconds while offline, uploads the queue when the terminal
 * is back, and refreshes the bundle at start and every hour while online.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BundleInfo, OfflineRecordView, SaleOutcome, TerminalClient } from '@shared/terminal-client';

/**
 * A sale whose answer was lost (shown as 交易结果未知), settled by the transaction query once the
 * network came back: posted (the receipt), or nothing taken (the cashier takes it again).
 */
export interface SettledSale {
  posTxnId: string;
  status: 'posted' | 'refused';
  /** Undefined only if the sale left the store between the two reads (another tab settled it). */
  amountFen?: number;
  startedAt?: string;
  receiptNo?: string;
}

export interface TerminalState {
  client: TerminalClient;
  /** False when the API cannot be reached or the drill switch is on. */
  online: boolean;
  /** The network itself (the last ping), whatever the drill says. */
  networkUp: boolean;
  drill: boolean;
  setDrill(on: boolean): void;
  /** Re-reads the queued count (call after takeOffline). */
  refreshQueued(): void;
  queued: number;
  /** A sale found no answer: treat the API as unreachable until a ping succeeds. */
  reportUnreachable(): void;
  bundle?: BundleInfo;
  /** The outcome of each record of the last upload (empty before any). */
  lastUpload: OfflineRecordView[];
  uploading: boolean;
  /** Uploads the queue now (when online). */
  upload(): Promise<void>;
  /** Sales settled after the network came back, until the cashier dismisses them. */
  settledSales: SettledSale[];
  dismissSettled(): void;
}

const TerminalContext = createContext<TerminalState | undefined>(undefined);

export interface TerminalProviderProps {
  client: TerminalClient;
  children: ReactNode;
  /** Ping period while offline (default 3 s). */
  offlinePingMs?: number;
  /** Ping period while online, to notice a lost network between sales (default 20 s). */
  onlinePingMs?: number;
  /** Bundle refresh period while online (default one hour). */
  bundleRefreshMs?: number;
}

export function TerminalProvider({ client, children, offlinePingMs = 3000, onlinePingMs = 20_000, bundleRefreshMs = 3_600_000 }: TerminalProviderProps) {
  const [networkUp, setNetworkUp] = useState(true);
  const [drill, setDrill] = useState(false);
  const [queued, setQueued] = useState(0);
  const [bundle, setBundle] = useState<BundleInfo | undefined>();
  const [lastUpload, setLastUpload] = useState<OfflineRecordView[]>([]);
  const [uploading, setUploading] = useState(false);
  const [settledSales, setSettledSales] = useState<SettledSale[]>([]);
  const online = networkUp && !drill;
  const uploadingRef = useRef(false);

  const refreshQueued = useCallback(() => {
    void client.queuedCount().then(setQueued, () => undefined);
  }, [client]);

  const refreshBundle = useCallback(async () => {
    try {
      setBundle(await client.refreshBundle());
    } catch {
      // Unreachable or refused: keep the bundle we have and show its expiry.
      setBundle(await client.bundleInfo().catch(() => undefined));
    }
  }, [client]);

  const upload = useCallback(async () => {
    if (uploadingRef.current) return;
    uploadingRef.current = true;
    setUploading(true);
    try {
      try {
        if ((await client.queuedCount()) > 0) setLastUpload(await client.uploadQueued());
      } catch {
        // Lost again: the same records go next time (the server is idempotent per record).
      }
      // Sales whose answer was lost while the network was down are settled by the transaction query; the cashier is told each.
      const sales = new Map((await client.unresolvedSales()).map((sale) => [sale.posTxnId, sale]));
      if (sales.size > 0) {
        const settled = (await client.resolveUnresolved()).flatMap((outcome) => settledOf(outcome, sales.get(outcome.posTxnId)));
        if (settled.length > 0) setSettledSales((shown) => [...shown, ...settled]);
      }
    } catch {
      // Still unknown: they stay unresolved and are asked again next time.
    } finally {
      uploadingRef.current = false;
      setUploading(false);
      refreshQueued();
    }
  }, [client, refreshQueued]);

  // Start: the saved bundle at once, then a fresh one; the queue's count.
  useEffect(() => {
    void client.bundleInfo().then(setBundle, () => undefined);
    refreshQueued();
  }, [client, refreshQueued]);

  // Ping: often while offline, now and then while online.
  useEffect(() => {
    let cancelled = false;
    const ping = async () => {
      const up = await client.ping().catch(() => false);
      if (!cancelled) setNetworkUp(up);
    };
    if (!networkUp) void ping();
    const timer = setInterval(ping, networkUp ? onlinePingMs : offlinePingMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [client, networkUp, offlinePingMs, onlinePingMs]);

  // Back online (or at start): upload what was queued, then refresh the bundle, and every hour after.
  useEffect(() => {
    if (!online) return;
    void upload().then(refreshBundle);
    const timer = setInterval(refreshBundle, bundleRefreshMs);
    return () => clearInterval(timer);
  }, [online, upload, refreshBundle, bundleRefreshMs]);

  const reportUnreachable = useCallback(() => setNetworkUp(false), []);
  const dismissSettled = useCallback(() => setSettledSales([]), []);

  // The drill starts from the freshest bundle while the network still works (codes bound a moment ago included).
  const startDrill = useCallback(
    (on: boolean) => {
      if (on && networkUp) void refreshBundle().finally(() => setDrill(true));
      else setDrill(on);
    },
    [networkUp, refreshBundle],
  );

  const value = useMemo<TerminalState>(
    () => ({ client, online, networkUp, drill, setDrill: startDrill, refreshQueued, queued, reportUnreachable, ...(bundle ? { bundle } : {}), lastUpload, uploading, upload, settledSales, dismissSettled }),
    [client, online, networkUp, drill, startDrill, refreshQueued, queued, reportUnreachable, bundle, lastUpload, uploading, upload, settledSales, dismissSettled],
  );
  return <TerminalContext.Provider value={value}>{children}</TerminalContext.Provider>;
}

export function useTerminal(): TerminalState {
  const state = useContext(TerminalContext);
  if (!state) throw new Error('useTerminal() outside <TerminalProvider>');
  return state;
}

/** A settled outcome as the top bar shows it; a sale still unknown is not settled. */
function settledOf(outcome: SaleOutcome, sale: { amountFen: number; startedAt: string } | undefined): SettledSale[] {
  if (outcome.status === 'unreachable') return [];
  const known = sale ? { amountFen: sale.amountFen, startedAt: sale.startedAt } : {};
  // Any refusal of a settled sale means nothing was taken (POS_TXN_CLOSED: the query closed the id).
  if (outcome.status === 'refused') return [{ posTxnId: outcome.posTxnId, status: 'refused', ...known }];
  return [{ posTxnId: outcome.posTxnId, status: 'posted', ...known, amountFen: outcome.amountFen, receiptNo: outcome.receiptNo }];
}
