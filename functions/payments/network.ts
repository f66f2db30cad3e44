/**
 * The campus network centre's accounting system: whether a student's network account is registered
 * and active, and the network fee weeks paid for it (delivered through the outbox, idempotent on our
 * delivery id). One interface, so a campus plugs in its own system; locally and in tests a fake
 * (functions/local/fake-network.ts) speaks the same signed JSON (functions/payments/utility-system.ts).
 */
import type { Config } from '../config';
import { readConfigJson } from './channels';
import type { IsoWeek, NetworkAccountStatus } from '../domain/utilities';
import { createDeliveryCalls, createSignedCaller, UtilitySystemUnavailable, type UtilityDeliveryAdapter, type UtilitySystemConfig } from './utility-system';

export interface NetworkFeeDelivery {
  /** The student id the network account is registered under. */
  studentId: string;
  weeks: IsoWeek[];
}

export interface NetworkAdapter extends UtilityDeliveryAdapter<NetworkFeeDelivery> {
  /** The student's network account; throws UtilitySystemUnavailable. */
  accountStatus(studentId: string): Promise<NetworkAccountStatus>;
}

const STATUSES: readonly NetworkAccountStatus[] = ['registered', 'suspended', 'unknown'];

export function createHttpNetworkAdapter(config: UtilitySystemConfig): NetworkAdapter {
  const call = createSignedCaller(config, 'the network system');
  return {
    ...createDeliveryCalls<NetworkFeeDelivery>(call, { deliver: '/fees', cancel: '/fees/cancel' }),
    async accountStatus(studentId) {
      const { answer } = await call('/accounts/query', { studentId });
      if (!STATUSES.includes(answer.status as NetworkAccountStatus)) throw new UtilitySystemUnavailable(`the network system answered status ${String(answer.status)}`);
      return answer.status as NetworkAccountStatus;
    },
  };
}

/** NETWORK_CONFIG (JSON) locally, NETWORK_CONFIG_PARAMETER (SSM) on AWS; undefined if none. */
export async function networkFromEnvironment(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<NetworkAdapter | undefined> {
  const system = await readConfigJson<UtilitySystemConfig>(config, 'NETWORK_CONFIG', env);
  return system ? createHttpNetworkAdapter(system) : undefined;
}
