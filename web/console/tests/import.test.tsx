import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ERRORS } from '@shared/errors';
import { rejectedReportName } from '../src/screens/Import';
import { fakeApi, receipt, session, type FakeRequest } from './fake-api';
import { renderConsole } from './render-console';

afterEach(cleanup);

// A registrar's list as Excel on Chinese Windows saves it would be GBK; the page never decodes it, so any bytes do: these are UTF-8.
const LIST = ['personId,name,cardType,idType,idNumber,mobile', 'S2026001,王小红,student,id_card,110101200801011234,13800000001', 'S2026002,李雷,student,id_card,bad,13800000002', 'S2026003,韩梅梅,student,id_card,11010120080101123X,13800000003'].join('\r\n');
const REJECTED_CSV = '\uFEFF行号,personId,name,cardType,idType,idNumber,mobile,原因,reason\r\n3,S2026002,李雷,student,id_card,bad,138****0002,证件号格式不正确,idNumber is not a valid ID number\r\n';

function decode(request: FakeRequest): string {
  const bytes = Uint8Array.from(atob(String(request.body!.file)), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Answers like the import service: the first real import creates, every later one (and its preview) finds the rows unchanged. */
function importApi() {
  let imported = false;
  return fakeApi({
    'POST /v1/admin/imports': (request) => {
      const text = decode(request);
      if (!text.startsWith('personId,')) return { refuse: 'IMPORT_COLUMNS_MISSING', params: { columns: 'personId' } };
      const dryRun = request.body!.dryRun === true;
      const outcome = imported ? 'unchanged' : 'created';
      const accounts = [
        { line: 2, personId: 'S2026001', outcome, ...(dryRun && !imported ? {} : { accountNo: '20260001' }) },
        { line: 4, personId: 'S2026003', outcome, ...(dryRun && !imported ? {} : { accountNo: '20260002' }) },
      ];
      if (!dryRun) imported = true;
      return {
        status: 200,
        body: {
          importId: receipt(1),
          rows: 3,
          created: outcome === 'created' ? 2 : 0,
          unchanged: outcome === 'unchanged' ? 2 : 0,
          updated: 0,
          rejected: [{ line: 3, personId: 'S2026002', reasons: ['idNumber is not a valid ID number'], reasonsZh: ['证件号格式不正确'], values: { name: '李雷', idNumber: 'bad' } }],
          accounts,
          dryRun,
          format: 'csv-utf8',
          rejectedCsv: REJECTED_CSV,
        },
      };
    },
  });
}

async function choose(content: string, fileName = '2026级新生.csv') {
  const input = (await screen.findByTestId('import-file')) as HTMLInputElement;
  fireEvent.change(input, { target: { files: [new File([content], fileName, { type: 'text/csv' })] } });
  await waitFor(() => expect(screen.getByTestId('import-file-name').textContent).toBe(fileName));
}

function readBlob(blob: Blob): Promise<string> {
  return new Promise((done) => {
    const reader = new FileReader();
    reader.onload = () => done(reader.result as string);
    reader.readAsText(blob);
  });
}

describe('batch issue', { timeout: 90_000 }, () => {
  it('previews the file sent as its bytes, imports it with a reason, and a re-import shows every row unchanged', async () => {
    const api = importApi();
    renderConsole(api, { path: '/import', session: session('operator') });
    await choose(LIST);
    fireEvent.click(screen.getByTestId('import-preview'));
    const result = await screen.findByTestId('import-result');
    expect(result.dataset.dryRun).toBe('true');
    const [preview] = api.sent('POST /v1/admin/imports');
    expect(preview!.body).toMatchObject({ kind: 'registrar', dryRun: true });
    expect(preview!.body).not.toHaveProperty('csv');
    // The bytes go untouched: the server tells GBK from UTF-8 by them.
    expect(decode(preview!)).toBe(LIST);
    expect(screen.getByTestId('import-count-created').textContent).toContain('2');
    expect(screen.getByTestId('import-count-rejected').textContent).toContain('1');
    const rejected = within(screen.getByTestId('import-rejected-table')).getByTestId('import-rejected-row-3');
    expect(rejected.textContent).toContain('证件号格式不正确');
    expect(rejected.textContent).toContain('S2026002');
    expect(within(screen.getByTestId('import-accounts-table')).getAllByText('（导入时分配）')).toHaveLength(2);

    // Importing asks why (the action log keeps it), and nothing is sent without it.
    fireEvent.click(screen.getByTestId('import-run'));
    expect(await screen.findByTestId('import-error')).toBeTruthy();
    expect(api.sent('POST /v1/admin/imports')).toHaveLength(1);
    fireEvent.change(screen.getByTestId('import-reason'), { target: { value: '2026 级新生开户' } });
    fireEvent.click(screen.getByTestId('import-run'));
    await waitFor(() => expect(screen.getByTestId('import-result').dataset.dryRun).toBe('false'));
    expect(api.sent('POST /v1/admin/imports')[1]!.body).toMatchObject({ kind: 'registrar', dryRun: false, reason: '2026 级新生开户' });
    expect(within(screen.getByTestId('import-accounts-table')).getByText('20260001')).toBeTruthy();

    // The same list again, next week: nothing is issued twice.
    await choose(LIST);
    fireEvent.click(screen.getByTestId('import-run'));
    await waitFor(() => expect(api.sent('POST /v1/admin/imports')).toHaveLength(3));
    await waitFor(() => expect(screen.getByTestId('import-count-unchanged').textContent).toContain('2'));
    expect(screen.getByTestId('import-count-created').textContent).toContain('0');
    expect(within(screen.getByTestId('import-accounts-table')).getAllByText('无变化')).toHaveLength(2);
  });

  it('saves the rejected rows as the server’s report, named by the day', async () => {
    renderConsole(importApi(), { path: '/import', session: session('administrator') });
    await choose(LIST, 'staff.xlsx');
    fireEvent.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-result');
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    let downloaded = '';
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloaded = this.download;
    });
    fireEvent.click(screen.getByTestId('import-download'));
    expect(click).toHaveBeenCalled();
    expect(downloaded).toBe(rejectedReportName());
    expect(downloaded).toMatch(/^导入被拒行-\d{4}-\d{2}-\d{2}\.csv$/);
    // FileReader decodes UTF-8 and drops the BOM; the bytes keep it (checked on the Blob's size).
    expect(await readBlob(created[0]!)).toBe(REJECTED_CSV.slice(1));
    expect(created[0]!.size).toBe(new TextEncoder().encode(REJECTED_CSV).length);
    click.mockRestore();
  });

  it('a file refused is shown in the server’s words; finance and the auditor may not import', async () => {
    renderConsole(importApi(), { path: '/import', session: session('operator') });
    await choose('姓名,手机\r\n王小红,13800000001');
    fireEvent.click(screen.getByTestId('import-preview'));
    const error = await screen.findByTestId('import-error');
    expect(error.dataset.code).toBe('IMPORT_COLUMNS_MISSING');
    expect(error.textContent).toBe(ERRORS.IMPORT_COLUMNS_MISSING.zh.replace('{columns}', 'personId'));
    expect(screen.queryByTestId('import-result')).toBeNull();
    for (const role of ['finance', 'auditor'] as const) {
      cleanup();
      renderConsole(importApi(), { path: '/import', session: session(role) });
      await screen.findByTestId('header-role');
      expect(screen.queryByTestId('menu-import')).toBeNull();
      await choose(LIST);
      expect((screen.getByTestId('import-preview') as HTMLButtonElement).disabled).toBe(true);
    }
  });
});
