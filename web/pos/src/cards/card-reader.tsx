/**
 * The simulated card reader: the demo cards (GET /__fake/demo-cards on the local stack) laid out to
 * tap, each CPU chip's balance and transaction counter kept in IndexedDB (a reload keeps them, as a
 * real chip would), and a switch that pulls the card away during the next write (a torn write
 * leaves the chip as it was).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button, Switch, Typography } from 'antd';
import { openIndexedDbStore, type TerminalStore } from '@shared/terminal-client';

export interface SimulatedCard {
  chipUid: string;
  kind: 'cpu' | 'm1';
  accountNo: string;
  holderName: string;
  chipBalanceFen: number;
  counter: number;
  password: string;
  bankCardNo: string;
  bankPin: string;
}

export interface CardReaderState {
  cards: SimulatedCard[];
  /** The card on the reader now. */
  present?: SimulatedCard;
  insert(chipUid: string): void;
  remove(): void;
  tearNextWrite: boolean;
  setTearNextWrite(on: boolean): void;
  /** Writes the chip's balance (the counter goes up by one); 'torn' leaves the chip unchanged and takes the card away. */
  writeChip(chipUid: string, balanceFen: number): Promise<'written' | 'torn'>;
}

const CardReaderContext = createContext<CardReaderState | undefined>(undefined);

const CHIP_KEY = 'chip#';

type DemoCard = Omit<SimulatedCard, 'counter'> & { counter?: number };

async function fetchDemoCards(): Promise<DemoCard[]> {
  try {
    const answer = await fetch('/__fake/demo-cards');
    if (!answer.ok) return [];
    const body = (await answer.json()) as { cards?: DemoCard[] };
    return body.cards ?? [];
  } catch {
    return []; // not the local stack: no demo cards
  }
}

export interface CardReaderProviderProps {
  children: ReactNode;
  /** Where chips are kept (default IndexedDB 'ecard-card-rack'). */
  store?: TerminalStore;
  /** The demo cards (default GET /__fake/demo-cards). */
  loadCards?: () => Promise<DemoCard[]>;
}

export function CardReaderProvider({ children, store: givenStore, loadCards = fetchDemoCards }: CardReaderProviderProps) {
  const [cards, setCards] = useState<SimulatedCard[]>([]);
  const [presentUid, setPresentUid] = useState<string | undefined>();
  const [tearNextWrite, setTearNextWrite] = useState(false);
  const storeRef = useRef<Promise<TerminalStore> | undefined>(undefined);
  storeRef.current ??= givenStore ? Promise.resolve(givenStore) : openIndexedDbStore('ecard-card-rack');
  const tearRef = useRef(tearNextWrite);
  tearRef.current = tearNextWrite;
  const cardsRef = useRef(cards);
  cardsRef.current = cards;

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const store = await storeRef.current!;
      const demo = await loadCards();
      // The chip as last written here wins over the card's balance at issue.
      const merged: SimulatedCard[] = [];
      for (const card of demo) {
        const kept = await store.get<SimulatedCard>(CHIP_KEY + card.chipUid);
        merged.push(kept && kept.accountNo === card.accountNo ? { ...card, chipBalanceFen: kept.chipBalanceFen, counter: kept.counter } : { ...card, counter: card.counter ?? 0 });
      }
      if (!cancelled) setCards(merged);
    })();
    return () => {
      cancelled = true;
    };
  }, [loadCards]);

  const writeChip = useCallback(async (chipUid: string, balanceFen: number): Promise<'written' | 'torn'> => {
    if (tearRef.current) {
      // Pulled away mid-write: the chip keeps its old balance and counter, and is no longer on the reader.
      setTearNextWrite(false);
      setPresentUid(undefined);
      return 'torn';
    }
    const card = cardsRef.current.find((c) => c.chipUid === chipUid);
    if (!card) return 'torn';
    const written = { ...card, chipBalanceFen: balanceFen, counter: card.counter + 1 };
    await (await storeRef.current!).putAll([{ key: CHIP_KEY + chipUid, value: written }]);
    cardsRef.current = cardsRef.current.map((c) => (c.chipUid === chipUid ? written : c));
    setCards(cardsRef.current);
    return 'written';
  }, []);

  const value = useMemo<CardReaderState>(() => {
    const present = cards.find((c) => c.chipUid === presentUid);
    return {
      cards,
      ...(present ? { present } : {}),
      insert: setPresentUid,
      remove: () => setPresentUid(undefined),
      tearNextWrite,
      setTearNextWrite,
      writeChip,
    };
  }, [cards, presentUid, tearNextWrite, writeChip]);
  return <CardReaderContext.Provider value={value}>{children}</CardReaderContext.Provider>;
}

export function useCardReader(): CardReaderState {
  const state = useContext(CardReaderContext);
  if (!state) throw new Error('useCardReader() outside <CardReaderProvider>');
  return state;
}

function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** The demo cards to tap (a click puts the card on the reader), the remove button and the tear switch. */
export function CardRack({ onTap }: { onTap?(card: SimulatedCard): void } = {}) {
  const { cards, present, insert, remove, tearNextWrite, setTearNextWrite } = useCardReader();
  return (
    <div data-testid="card-rack" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      <Typography.Text type="secondary">模拟读卡器：点卡片即刷卡</Typography.Text>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}>
        {cards.map((card) => (
          <Button
            key={card.chipUid}
            data-testid={`card-${card.chipUid}`}
            type={present?.chipUid === card.chipUid ? 'primary' : 'default'}
            style={{ height: 56, minWidth: 120, display: 'flex', flexDirection: 'column', justifyContent: 'center', lineHeight: 1.2 }}
            onClick={() => {
              insert(card.chipUid);
              onTap?.(card);
            }}
          >
            <span>{card.holderName}</span>
            <span style={{ fontSize: 12 }}>{card.kind === 'cpu' ? `CPU卡 ${yuan(card.chipBalanceFen)}` : 'M1卡'}</span>
          </Button>
        ))}
        {cards.length === 0 && <Typography.Text type="secondary">无模拟卡</Typography.Text>}
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
        <Button size="large" data-testid="card-remove" disabled={!present} onClick={remove}>
          移开卡
        </Button>
        <label style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
          <Switch data-testid="card-tear" checked={tearNextWrite} onChange={setTearNextWrite} />
          写卡时移开卡
        </label>
      </div>
    </div>
  );
}
