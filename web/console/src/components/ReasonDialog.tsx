/**
 * The one confirmation every card-centre action goes through: a title, a line saying what will
 * happen, the action's own fields (children), and the reason the audit log keeps — checked here by
 * the API's own actionReason rule (trimmed, 2 to 200 characters, never an ID number), so confirm
 * stays off until the request could be accepted. While the call runs the dialog is busy; a refusal
 * is shown inside it in the current language and the dialog stays open to correct it. After a
 * success the caller either closes it or hands it a `result` to show with a close button.
 *
 * data-testids (defaults; a screen whose end-to-end test knows older names passes `testIds`):
 *   reason-dialog, reason-summary, reason-input, reason-problem, reason-confirm, reason-cancel,
 *   reason-error, reason-result, reason-close
 */
import { useState, type ReactNode } from 'react';
import { Alert, Button, Input, Modal, Space, Typography } from 'antd';
import { actionReason } from '@shared/api/admin';
import { ErrorAlert } from '../console-context';
import { useI18n } from '../i18n';

export interface ReasonDialogTestIds {
  dialog: string;
  summary: string;
  input: string;
  problem: string;
  confirm: string;
  cancel: string;
  error: string;
  result: string;
  close: string;
}

const DEFAULT_IDS: ReasonDialogTestIds = {
  dialog: 'reason-dialog',
  summary: 'reason-summary',
  input: 'reason-input',
  problem: 'reason-problem',
  confirm: 'reason-confirm',
  cancel: 'reason-cancel',
  error: 'reason-error',
  result: 'reason-result',
  close: 'reason-close',
};

/** The longest reason the API takes (actionReason's own max). */
export const REASON_MAX = actionReason.maxLength ?? 200;
const ID_NUMBER = /\d{17}[\dXx]/;

export interface ReasonDialogProps {
  title: ReactNode;
  /** What will happen, in one line (the amount, the account, the finding). */
  summary: ReactNode;
  /** The action's own fields, between the summary and the reason. */
  children?: ReactNode;
  /** Whether the action's own fields are filled in (the reason is checked here); confirm waits for both. */
  ready?: boolean;
  danger?: boolean;
  confirmLabel?: ReactNode;
  /** The reason's label when the action calls it something else (a termination's 备注). */
  reasonLabel?: ReactNode;
  /** Makes the call with the trimmed reason. A throw (an ApiError: the server's refusal, or a field refused here) is shown inside. */
  onConfirm(reason: string): Promise<unknown>;
  /** Closed without (or before) a success. */
  onCancel(): void;
  /** Set after a success: shown in place of the form, with a close button. */
  result?: ReactNode;
  /** Closed after the result was shown (defaults to onCancel). */
  onClose?(): void;
  testIds?: Partial<ReasonDialogTestIds>;
}

export function ReasonDialog({ title, summary, children, ready = true, danger, confirmLabel, reasonLabel, onConfirm, onCancel, result, onClose, testIds }: ReasonDialogProps) {
  const { t } = useI18n();
  const ids = { ...DEFAULT_IDS, ...testIds };
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const checked = actionReason.safeParse(reason);
  const problem = reason.trim() === '' || checked.success ? undefined : ID_NUMBER.test(reason) ? t('reasonNoIdNumber') : t('reasonTooShort');
  const done = result !== undefined;
  const close = onClose ?? onCancel;

  async function confirm() {
    if (!checked.success || !ready || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm(checked.data);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      data-testid={ids.dialog}
      title={title}
      onCancel={() => (done ? close() : onCancel())}
      mask={{ closable: false }}
      footer={
        done ? (
          <Button type="primary" data-testid={ids.close} onClick={close}>
            {t('close')}
          </Button>
        ) : (
          <Space>
            <Button data-testid={ids.cancel} onClick={onCancel}>
              {t('cancel')}
            </Button>
            <Button type="primary" danger={danger} loading={busy} disabled={!checked.success || !ready} data-testid={ids.confirm} onClick={() => void confirm()}>
              {confirmLabel ?? t('confirm')}
            </Button>
          </Space>
        )
      }
    >
      {done ? (
        <div data-testid={ids.result}>
          <Alert type="success" showIcon title={t('done')} style={{ marginBottom: 12 }} />
          {result}
        </div>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <ErrorAlert error={error} testId={ids.error} />
          <Typography.Paragraph data-testid={ids.summary} style={{ marginBottom: 4 }}>
            {summary}
          </Typography.Paragraph>
          {children}
          {/* Room below for the character count antd draws under the box. */}
          <div style={{ paddingBottom: 12 }}>
            <Typography.Text strong>{reasonLabel ?? t('reason')}</Typography.Text>
            <Input.TextArea
              data-testid={ids.input}
              rows={2}
              maxLength={REASON_MAX}
              showCount
              disabled={busy}
              placeholder={t('reasonHint')}
              value={reason}
              status={problem ? 'error' : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
            {problem && (
              <Typography.Text type="danger" data-testid={ids.problem}>
                {problem}
              </Typography.Text>
            )}
          </div>
        </Space>
      )}
    </Modal>
  );
}
