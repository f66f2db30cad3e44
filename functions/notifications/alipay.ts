/**
 * Alipay's mini-program messages: alipay.open.app.mini.templatemessage.send through the open
 * platform gateway, signed RSA2 with the app's key and its answer's signature checked (the same
 * ALIPAY_CONFIG the payments use). The holder subscribes in the app with my.requestSubscribeMessage
 * (entityIds: the template ids); the keywords are filled in template order (keyword1, keyword2...).
 */
import { AlipaySdk } from 'alipay-sdk';
import { formatBeijingTime, type AlipayConfig } from '../payments/alipay';
import { neverSent, type NotificationChannel, type SendResult } from './channel';

const SUCCESS = '10000';
/** Alipay's "service currently unavailable": nothing was done. */
const UNAVAILABLE = '20000';

export function createAlipayNotifier(config: AlipayConfig, clock: () => Date = () => new Date()): NotificationChannel {
  const sdk = new AlipaySdk({
    appId: config.appId,
    privateKey: config.appPrivateKeyPem,
    alipayPublicKey: config.alipayPublicKeyPem,
    gateway: config.gatewayUrl,
    keyType: 'PKCS8',
    signType: 'RSA2',
    camelcase: false,
    ...(config.timeoutMs !== undefined ? { timeout: config.timeoutMs } : {}),
  });
  return {
    platform: 'alipay',
    async send(message): Promise<SendResult> {
      // WeChat-style keys (thing1, amount2) become Alipay's keywords in the same order.
      const keywords = Object.fromEntries(Object.values(message.data).map((field, i) => [`keyword${i + 1}`, field]));
      let answer: Record<string, unknown>;
      try {
        answer = (await sdk.exec(
          'alipay.open.app.mini.templatemessage.send',
          {
            bizContent: { to_user_id: message.recipient, user_template_id: message.templateId, page: message.page, data: JSON.stringify(keywords) },
            timestamp: formatBeijingTime(clock()),
          },
          { validateSign: true },
        )) as Record<string, unknown>;
      } catch (error) {
        if (neverSent(error)) return { result: 'not_delivered', code: 'connection', retryable: true };
        return { result: 'unknown', detail: error instanceof Error ? error.message : String(error) };
      }
      const code = String(answer.code ?? '');
      if (code === SUCCESS) return { result: 'sent' };
      const detail = `${code} ${String(answer.sub_code ?? '')}`.trim();
      if (code === UNAVAILABLE) return { result: 'not_delivered', code: detail, retryable: true };
      // A business refusal (not subscribed, template not granted): final, like WeChat's 43101.
      if (code === '40004') return { result: 'refused', code: detail };
      return { result: 'not_delivered', code: detail, retryable: false };
    },
  };
}
