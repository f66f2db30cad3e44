/**
 * The payment channels this deployment has, built from configuration: JSON in WECHAT_PAY_CONFIG /
 * ALIPAY_CONFIG (local runs and tests, pointed at the fake platforms), or, on AWS, the same JSON in
 * SSM SecureStrings named by WECHAT_PAY_CONFIG_PARAMETER / ALIPAY_CONFIG_PARAMETER.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';
import { createAlipayChannel, type AlipayConfig } from './alipay';
import { createHttpBankAdapter, type BankAdapter, type HttpBankConfig } from './bank';
import type { PaymentChannel, PaymentChannelName } from './channel';
import { createWechatPayChannel, type WechatPayConfig } from './wechat';

export type PaymentChannels = Partial<Record<PaymentChannelName, PaymentChannel>>;

/** A JSON configuration: inline in NAME (local, tests), or in the SSM SecureString named by NAME_PARAMETER (AWS). */
export async function readConfigJson<T>(config: Config, name: string, env: NodeJS.ProcessEnv = process.env): Promise<T | undefined> {
  return readJson<T>(config, env[name], env[`${name}_PARAMETER`]);
}

async function readJson<T>(config: Config, inline: string | undefined, parameter: string | undefined): Promise<T | undefined> {
  if (inline) return JSON.parse(inline) as T;
  if (!parameter) return undefined;
  const { Parameter } = await new SSMClient({ region: config.region }).send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
  return Parameter?.Value ? (JSON.parse(Parameter.Value) as T) : undefined;
}

export async function paymentChannelsFromEnvironment(config: Config, env: NodeJS.ProcessEnv = process.env, clock?: () => Date): Promise<PaymentChannels> {
  const [wechat, alipay] = await Promise.all([
    readJson<WechatPayConfig>(config, env.WECHAT_PAY_CONFIG, env.WECHAT_PAY_CONFIG_PARAMETER),
    readJson<AlipayConfig>(config, env.ALIPAY_CONFIG, env.ALIPAY_CONFIG_PARAMETER),
  ]);
  return {
    ...(wechat ? { wechat: createWechatPayChannel(wechat, clock) } : {}),
    ...(alipay ? { alipay: createAlipayChannel(alipay, clock) } : {}),
  };
}

/** The kiosk's bank: BANK_CONFIG (JSON) locally, BANK_CONFIG_PARAMETER (SSM) on AWS; undefined if none. */
export async function bankFromEnvironment(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<BankAdapter | undefined> {
  const bank = await readJson<HttpBankConfig>(config, env.BANK_CONFIG, env.BANK_CONFIG_PARAMETER);
  return bank ? createHttpBankAdapter(bank) : undefined;
}
