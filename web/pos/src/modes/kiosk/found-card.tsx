/**
 * 拾到校园卡 (issue 18 lost and found, docs/lost-and-found.md): a finder keys in the number printed
 * on a card they found, and leaves the card at this kiosk's place. The kiosk answers the same for
 * every number (the platform never says whether a card exists); only a pause after too many reports.
 *
 * data-testids: the keypad's, then `kiosk-result` (ResultPanel) with `kiosk-back`.
 */
import { useState } from 'react';
import { kioskReportFoundCard } from '@shared/api/lost-found';
import { Keypad } from '../../components/Keypad';
import { failureCode, failureText } from './failure';
import { refusedResult, type FlowProps } from './flows';

export function FoundCardFlow({ client, place, onDone, onCancel }: FlowProps & { place: string }) {
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  return (
    <Keypad
      confirm
      masked={false}
      title="拾到校园卡：请输入卡面上的卡号"
      minLength={5}
      length={12}
      message={sending ? '正在提交…' : (message ?? '提交后请将卡片留在本机旁的服务台，失主会收到通知')}
      disabled={sending}
      onCancel={onCancel}
      onSubmit={async (cardNumber) => {
        setSending(true);
        try {
          const answer = await client.call(kioskReportFoundCard, { body: { cardNumber } });
          onDone({ status: 'ok', title: answer.message, lines: [`请将卡片交到 ${answer.handInAt || place}`, '感谢您的帮助'] });
        } catch (error) {
          if (failureCode(error) === 'VALIDATION_FAILED') {
            setMessage(failureText(error));
            setSending(false);
          } else onDone(refusedResult('提交失败', error));
        }
      }}
    />
  );
}
