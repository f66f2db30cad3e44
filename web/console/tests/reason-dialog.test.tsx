import './jsdom-extra';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { ApiError } from '../src/api';
import { ReasonDialog, REASON_MAX, type ReasonDialogProps } from '../src/components/ReasonDialog';
import { I18nProvider, type Lang } from '../src/i18n';

afterEach(cleanup);

function renderDialog(props: Partial<ReasonDialogProps> = {}, lang: Lang = 'zh') {
  const onConfirm = props.onConfirm ?? vi.fn(async () => {});
  const onCancel = props.onCancel ?? vi.fn();
  render(
    <I18nProvider initial={lang}>
      <ReasonDialog title="解冻 · 张小明" summary="账户恢复正常" {...props} onConfirm={onConfirm} onCancel={onCancel} />
    </I18nProvider>,
  );
  return { onConfirm, onCancel };
}

const confirmButton = () => screen.getByTestId('reason-confirm') as HTMLButtonElement;
const type = (text: string) => fireEvent.change(screen.getByTestId('reason-input'), { target: { value: text } });

describe('the reason dialog', { timeout: 30_000 }, () => {
  it('says what will happen; confirm stays off until the reason is one the API takes, and sends it trimmed', async () => {
    const { onConfirm } = renderDialog();
    expect(screen.getByTestId('reason-summary').textContent).toBe('账户恢复正常');
    expect(confirmButton().disabled).toBe(true);
    type('   ');
    expect(confirmButton().disabled).toBe(true);
    type(' 好 ');
    expect(confirmButton().disabled).toBe(true);
    expect(screen.getByTestId('reason-problem').textContent).toBe('原因至少 2 个字');
    // An ID number never goes in the audit log.
    type('本人 11010519491231002X 到柜台');
    expect(confirmButton().disabled).toBe(true);
    expect(screen.getByTestId('reason-problem').textContent).toBe('原因中不得包含证件号');
    expect(screen.getByTestId('reason-input').getAttribute('maxlength')).toBe(String(REASON_MAX));
    type('  核实本人，解冻  ');
    expect(screen.queryByTestId('reason-problem')).toBeNull();
    expect(confirmButton().disabled).toBe(false);
    fireEvent.click(confirmButton());
    await waitFor(() => expect(onConfirm).toHaveBeenCalledWith('核实本人，解冻'));
  });

  it('waits for the action’s own fields too', () => {
    renderDialog({ ready: false });
    type('补录充值');
    expect(confirmButton().disabled).toBe(true);
  });

  it('is busy while the call runs: one call however often confirm is pressed', async () => {
    let finish!: () => void;
    const onConfirm = vi.fn(() => new Promise<void>((done) => (finish = done)));
    renderDialog({ onConfirm });
    type('补录充值');
    fireEvent.click(confirmButton());
    await waitFor(() => expect(confirmButton().className).toContain('ant-btn-loading'));
    expect((screen.getByTestId('reason-input') as HTMLTextAreaElement).disabled).toBe(true);
    fireEvent.click(confirmButton());
    expect(onConfirm).toHaveBeenCalledTimes(1);
    finish();
    await waitFor(() => expect(confirmButton().className).not.toContain('ant-btn-loading'));
  });

  it('shows the API’s refusal inside, in the console’s language, and stays open to try again', async () => {
    const refusal = new ApiError(409, 'CARD_FROZEN', ERRORS.CARD_FROZEN.zh, ERRORS.CARD_FROZEN.en);
    const onConfirm = vi.fn(async (): Promise<void> => {
      throw refusal;
    });
    renderDialog({ onConfirm }, 'en');
    type('holder at the counter');
    fireEvent.click(confirmButton());
    const error = await screen.findByTestId('reason-error');
    expect(error.textContent).toBe(ERRORS.CARD_FROZEN.en);
    expect(error.dataset.code).toBe('CARD_FROZEN');
    expect(confirmButton().disabled).toBe(false);
    // A second try clears the old refusal first.
    onConfirm.mockImplementationOnce(async () => {});
    fireEvent.click(confirmButton());
    await waitFor(() => expect(screen.queryByTestId('reason-error')).toBeNull());
  });

  it('a 403 is 无权限 with the server’s words', async () => {
    renderDialog({
      onConfirm: async () => {
        throw new ApiError(403, 'FORBIDDEN', ERRORS.FORBIDDEN.zh, ERRORS.FORBIDDEN.en);
      },
    });
    type('测试权限');
    fireEvent.click(confirmButton());
    expect((await screen.findByTestId('reason-error')).textContent).toBe(`无权限：${ERRORS.FORBIDDEN.zh}`);
  });

  it('cancel closes without a call; a result replaces the form and its close button closes', async () => {
    const { onCancel, onConfirm } = renderDialog();
    fireEvent.click(screen.getByTestId('reason-cancel'));
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onConfirm).not.toHaveBeenCalled();
    cleanup();

    const onClose = vi.fn();
    function WithResult() {
      const [result, setResult] = useState<string>();
      return <ReasonDialog title="调账" summary="余额调增" onConfirm={async () => setResult('凭证号 01KB')} onCancel={() => {}} result={result} onClose={onClose} />;
    }
    render(
      <I18nProvider initial="zh">
        <WithResult />
      </I18nProvider>,
    );
    type('补录充值');
    fireEvent.click(confirmButton());
    expect((await screen.findByTestId('reason-result')).textContent).toContain('凭证号 01KB');
    expect(screen.queryByTestId('reason-input')).toBeNull();
    fireEvent.click(screen.getByTestId('reason-close'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('takes the screen’s own testids', () => {
    renderDialog({ testIds: { dialog: 'action-dialog', input: 'action-reason', confirm: 'action-confirm' } });
    expect(screen.getByTestId('action-reason')).toBeTruthy();
    expect(screen.getByTestId('action-confirm')).toBeTruthy();
    expect(screen.queryByTestId('reason-input')).toBeNull();
  });
});
