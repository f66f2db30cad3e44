/**
 * The dormitory power system: whether a room's meter account exists and takes payments, and the
 * electricity paid into it (delivered through the outbox, idempotent on our delivery id). Locally
 * and in tests a fake (functions/local/fake-electricity.ts) speaks the same signed JSON
 * (functions/payments/utility-system.ts).
 */
import type { Config } from '../config';
import { readConfigJson } from './channels';
import { createDeliveryCalls, createSignedCaller, UtilitySystemUnavailable, type UtilityDeliveryAdapter, type UtilitySystemConfig } from './utility-system';

export type RoomStatus = 'open' | 'closed' | 'unknown';

export interface ElectricityDelivery {
  roomId: string;
}

export interface ElectricityAdapter extends UtilityDeliveryAdapter<ElectricityDelivery> {
  /** The room's meter account; throws UtilitySystemUnavailable. */
  roomStatus(roomId: string): Promise<RoomStatus>;
}

const STATUSES: readonly RoomStatus[] = ['open', 'closed', 'unknown'];

export function createHttpElectricityAdapter(config: UtilitySystemConfig): ElectricityAdapter {
  const call = createSignedCaller(config, 'the electricity system');
  return {
    ...createDeliveryCalls<ElectricityDelivery>(call, { deliver: '/recharges', cancel: '/recharges/cancel' }),
    async roomStatus(roomId) {
      const { answer } = await call('/rooms/query', { roomId });
      if (!STATUSES.includes(answer.status as RoomStatus)) throw new UtilitySystemUnavailable(`the electricity system answered status ${String(answer.status)}`);
      return answer.status as RoomStatus;
    },
  };
}

/** ELECTRICITY_CONFIG (JSON) locally, ELECTRICITY_CONFIG_PARAMETER (SSM) on AWS; undefined if none. */
export async function electricityFromEnvironment(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<ElectricityAdapter | undefined> {
  const system = await readConfigJson<UtilitySystemConfig>(config, 'ELECTRICITY_CONFIG', env);
  return system ? createHttpElectricityAdapter(system) : undefined;
}
