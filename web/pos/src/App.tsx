/**
 * The terminal app's shell: opens the client on the store (activation first if there is no
 * identity), then runs the mode of the terminal's kind under a top bar (place, terminal id, network
 * state, the offline drill, queued records, the bundle's expiry). Modes other than sale are loaded
 * on demand: a gate never downloads the kiosk's code.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ComponentType, type ReactNode } from 'react';
import { App as AntApp, Button, ConfigProvider, Modal, Switch, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { loadTerminal, type TerminalClient, type TerminalStore } from '@shared/terminal-client';
import { Activation } from './Activation';
import { CardReaderProvider, type CardReaderProviderProps } from './cards/card-reader';
import { stopAlarm } from './feedback';
import { OfflineTab } from './modes/sale/OfflineTab';
import { SaleMode } from './modes/sale/SaleMode';
import { TodayTab } from './modes/sale/TodayTab';
import { yuan } from './format';
import { TerminalProvider, useTerminal, type SettledSale, type TerminalProviderProps } from './terminal-context';

function lazyMode(load: () => Promise<Record<string, unknown>>, name: string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}
const GateMode = lazyMode(() => import('./modes/gate/index'), 'GateMode');
const WaterMode = lazyMode(() => import('./modes/water/index'), 'WaterMode');
const KioskMode = lazyMode(() => import('./modes/kiosk/index'), 'KioskMode');

const KIND_NAMES: Record<string, string> = { pos: '收款', gate: '门禁', water: '水控结算', kiosk: '自助圈存' };

export const THEME = {
  token: { fontSize: 16, controlHeight: 44, controlHeightLG: 56, fontSizeLG: 20, borderRadius: 8 },
  components: { Button: { contentFontSizeLG: 20 } },
};

export interface AppProps {
  store: TerminalStore;
  /** '' = same origin. */
  baseUrl?: string;
  /** Injected in tests (answers like the API). */
  fetch?: typeof fetch;
  /** Where the simulated card reader keeps chips and finds the demo cards (tests). */
  cardReader?: Omit<CardReaderProviderProps, 'children'>;
  terminal?: Omit<TerminalProviderProps, 'client' | 'children'>;
}

export function App({ store, baseUrl = '', fetch: givenFetch, cardReader, terminal }: AppProps) {
  const fetchFn = useMemo(() => givenFetch ?? globalThis.fetch.bind(globalThis), [givenFetch]);
  const [client, setClient] = useState<TerminalClient | undefined | 'loading'>('loading');
  const open = useCallback(async () => setClient(await loadTerminal({ baseUrl, store, fetch: fetchFn })), [baseUrl, store, fetchFn]);
  useEffect(() => {
    void open();
  }, [open]);

  let body: ReactNode;
  if (client === 'loading') body = <div style={{ padding: 24, fontSize: 20 }}>正在启动…</div>;
  else if (!client) body = <Activation store={store} baseUrl={baseUrl} fetch={fetchFn} onActivated={() => void open()} />;
  else
    body = (
      <TerminalProvider client={client} {...terminal}>
        <CardReaderProvider {...cardReader}>
          <Shell />
        </CardReaderProvider>
      </TerminalProvider>
    );

  return (
    <ConfigProvider locale={zhCN} theme={THEME} componentSize="large" button={{ autoInsertSpace: false }}>
      <AntApp style={{ height: '100vh', overflow: 'hidden' }}>{body}</AntApp>
    </ConfigProvider>
  );
}

function expiryText(expiresAt: string): string {
  return new Date(expiresAt).toLocaleString('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
}

function timeText(iso: string): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
}

/** One settled sale in words: what the cashier does about it. */
function settledText(sale: SettledSale): string {
  const amount = sale.amountFen !== undefined ? ` ${yuan(sale.amountFen)}` : '';
  return sale.status === 'posted' ? `收款成功${amount}` : `${amount.trim()} 未扣款，请重新收款`.trim();
}

/** The top bar's words for the settled sales: short, so they fit an 800 px bar beside the rest (the list says what to do). */
function summaryOf(sales: SettledSale[], notTaken: number): string {
  const [first] = sales;
  if (sales.length === 1 && first) return first.status === 'posted' ? settledText(first) : `${first.amountFen !== undefined ? `${yuan(first.amountFen)} ` : ''}未扣款`;
  return notTaken > 0 ? `${sales.length} 笔，${notTaken} 笔未扣款` : `${sales.length} 笔收款成功`;
}

/**
 * Sales shown as 交易结果未知 that the transaction query settled once the network was back: the top
 * bar says the latest (red while one was not taken), a tap lists each with its receipt, 知道了 clears.
 */
function SettledSales() {
  const { settledSales, dismissSettled } = useTerminal();
  const [open, setOpen] = useState(false);
  if (settledSales.length === 0) return null;
  const notTaken = settledSales.filter((sale) => sale.status === 'refused').length;
  const summary = summaryOf(settledSales, notTaken);
  return (
    <>
      <Button
        size="small"
        data-testid="settled-sales"
        data-not-taken={notTaken}
        onClick={() => setOpen(true)}
        style={{ height: 32, fontSize: 15, fontWeight: 600, border: 'none', color: '#fff', background: notTaken > 0 ? '#cf1322' : '#389e0d', flex: '0 0 auto', padding: '0 10px' }}
      >
        补查：{summary}
      </Button>
      <Modal
        open={open}
        title="联网后查询到的交易结果"
        closable={false}
        footer={
          <Button
            type="primary"
            size="large"
            data-testid="settled-dismiss"
            onClick={() => {
              setOpen(false);
              dismissSettled();
            }}
          >
            知道了
          </Button>
        }
      >
        {settledSales.map((sale) => (
          <div key={sale.posTxnId} data-testid="settled-sale" data-status={sale.status} style={{ fontSize: 20, padding: '8px 0', borderBottom: '1px solid #f0f0f0', color: sale.status === 'posted' ? '#389e0d' : '#cf1322' }}>
            {sale.startedAt && <span style={{ color: '#666', marginRight: 8 }}>{timeText(sale.startedAt)}</span>}
            {settledText(sale)}
            {sale.receiptNo && (
              <div style={{ fontSize: 15, color: '#666' }}>
                凭证号 <span data-testid="settled-receipt">{sale.receiptNo}</span>
              </div>
            )}
          </div>
        ))}
      </Modal>
    </>
  );
}

function TopBar() {
  const { client, online, networkUp, drill, setDrill, queued, bundle, lastUpload } = useTerminal();
  const { identity } = client;
  const state = drill ? '离线演练' : networkUp ? '在线' : '离线';
  const counts = lastUpload.reduce<Record<string, number>>((all, r) => ({ ...all, [r.state]: (all[r.state] ?? 0) + 1 }), {});
  return (
    <header style={{ display: 'flex', alignItems: 'center', gap: 14, padding: '0 12px', height: 48, flex: '0 0 48px', background: '#001529', color: '#fff', fontSize: 15, whiteSpace: 'nowrap', overflow: 'hidden' }}>
      <strong style={{ fontSize: 17, overflow: 'hidden', textOverflow: 'ellipsis' }}>{identity.place}</strong>
      <span data-testid="terminal-label" style={{ opacity: 0.8 }}>
        {identity.terminalId}
      </span>
      <span data-testid="network-state" data-online={online ? 'true' : 'false'} style={{ padding: '2px 10px', borderRadius: 12, background: online ? '#389e0d' : '#d4380d', fontWeight: 600 }}>
        {state}
      </span>
      <label style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
        <Switch data-testid="drill-offline" checked={drill} onChange={setDrill} style={{ background: drill ? '#fa8c16' : 'rgba(255,255,255,0.45)' }} />
        离线演练
      </label>
      <span>
        待上传 <strong data-testid="queued-count">{queued}</strong>
      </span>
      {lastUpload.length > 0 && (
        <span data-testid="upload-outcome" style={{ opacity: 0.9 }}>
          上传：{[`入账${counts.applied ?? 0}`, counts.held ? `挂起${counts.held}` : '', counts.rejected ? `拒绝${counts.rejected}` : '', counts.reflected ? `平账${counts.reflected}` : ''].filter(Boolean).join(' ')}
        </span>
      )}
      <SettledSales />
      <span data-testid="bundle-expiry" style={{ marginLeft: 'auto', minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', opacity: 0.85, color: bundle?.expired ? '#ff7875' : undefined }}>
        {bundle ? `脱机名单${bundle.expired ? '已过期' : '有效至'} ${expiryText(bundle.expiresAt)}` : '无脱机名单'}
      </span>
    </header>
  );
}

type Tab = 'main' | 'today' | 'offline';

function Shell() {
  const { client } = useTerminal();
  const kind = client.identity.kind;
  const [tab, setTab] = useState<Tab>('main');
  const tabs: { key: Tab; label: string; testId: string }[] = [
    { key: 'main', label: KIND_NAMES[kind] ?? '收款', testId: 'tab-main' },
    ...(kind === 'pos' ? [{ key: 'today' as const, label: '今日', testId: 'tab-today' }] : []),
    { key: 'offline', label: '脱机', testId: 'tab-offline' },
  ];
  const Mode = kind === 'gate' ? GateMode : kind === 'water' ? WaterMode : kind === 'kiosk' ? KioskMode : SaleMode;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <TopBar />
      <div style={{ flex: 1, display: 'flex', minHeight: 0 }}>
        <nav style={{ flex: '0 0 84px', display: 'flex', flexDirection: 'column', gap: 6, padding: 6, background: '#f5f5f5' }}>
          {tabs.map((t) => (
            <Button
              key={t.key}
              data-testid={t.testId}
              type={tab === t.key ? 'primary' : 'default'}
              style={{ height: 64, fontSize: 18, padding: 0 }}
              onClick={() => {
                stopAlarm();
                setTab(t.key);
              }}
            >
              {t.label}
            </Button>
          ))}
        </nav>
        <main style={{ flex: 1, minWidth: 0, minHeight: 0, padding: 8, overflow: 'hidden' }}>
          {/* The main mode stays mounted behind the other tabs: the camera and a sale in progress keep running. */}
          <div style={{ height: '100%', display: tab === 'main' ? 'block' : 'none' }}>
            <Suspense fallback={<Typography.Text>正在加载…</Typography.Text>}>
              <Mode />
            </Suspense>
          </div>
          {tab === 'today' && <TodayTab />}
          {tab === 'offline' && <OfflineTab />}
        </main>
      </div>
    </div>
  );
}
