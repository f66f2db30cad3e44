/**
 * A fake dormitory power system (functions/payments/electricity.ts) on 127.0.0.1: room meter
 * accounts (open, closed, unknown) with their credited money, credited once per delivery id.
 * By default the demo campus's rooms exist: buildings 1–12, floors 1–6, rooms 01–30 (`3-512`).
 */
import type { RoomStatus } from '../payments/electricity';
import { startFakeUtilitySystem, type FakeUtilitySystem } from './fake-utility-system';

export interface FakeElectricity extends FakeUtilitySystem {
  setRoom(roomId: string, status: RoomStatus): void;
  /** What the room's meter account was credited in all. */
  creditedFen(roomId: string): number;
}

/** The demo campus's dormitory rooms. */
export function demoRoomStatus(roomId: string): RoomStatus {
  const match = /^(\d{1,2})-(\d)(\d{2})$/.exec(roomId);
  if (!match) return 'unknown';
  const [building, floor, room] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return building >= 1 && building <= 12 && floor >= 1 && floor <= 6 && room >= 1 && room <= 30 ? 'open' : 'unknown';
}

export async function startFakeElectricity(): Promise<FakeElectricity> {
  const rooms = new Map<string, RoomStatus>();
  const credited = new Map<string, number>();
  const statusOf = (roomId: unknown) => rooms.get(String(roomId)) ?? demoRoomStatus(String(roomId));
  const system = await startFakeUtilitySystem({
    lookups: { '/rooms/query': (payload) => ({ status: statusOf(payload.roomId) }) },
    deliverPath: '/recharges',
    cancelPath: '/recharges/cancel',
    refPrefix: 'ELEC',
    decide: (payload) => {
      const roomId = String(payload.roomId ?? '');
      const status = statusOf(roomId);
      if (status !== 'open') return { accept: false, reason: status === 'closed' ? 'ROOM_CLOSED' : 'ROOM_UNKNOWN' };
      credited.set(roomId, (credited.get(roomId) ?? 0) + Number(payload.amountFen ?? 0));
      return { accept: true };
    },
  });
  return {
    ...system,
    setRoom: (roomId, status) => void rooms.set(roomId, status),
    creditedFen: (roomId) => credited.get(roomId) ?? 0,
  };
}
