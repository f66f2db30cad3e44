/**
 * The batch import over HTTP on DynamoDB Local, as the console sends it: the file's bytes as base64,
 * an .xlsx workbook or a CSV in UTF-8 (with or without BOM) or GBK; the preview (dry run) that writes
 * nothing; the report of rejected rows as a CSV for Excel; re-import; and files refused whole.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionLogEntry } from '../../functions/domain/action-log';
import { addDays, campusDay } from '../../functions/domain/campus-day';
import { demoIdNumber } from '../../functions/local/seed';
import { createStaffMember } from '../../functions/services/admin/sessions';
import { findAccountByPersonId, getAccount } from '../../functions/store/accounts';
import { listActionLogDay } from '../../functions/store/action-log';
import { csvBytesOf, SAMPLE_HEADER, xlsxOf, type Cell, type CsvEncoding } from '../fixtures/imports/make-fixtures';
import { useTestPlatform } from '../helpers/platform';

const platform = useTestPlatform({ http: true });
const OPERATOR = { username: 'op.zhao', password: 'operator pass 2026', role: 'operator' as const };
let token = '';

beforeAll(async () => {
  await createStaffMember(platform.deps, OPERATOR);
  const response = await fetch(`${platform.url}/v1/admin/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: OPERATOR.username, password: OPERATOR.password }),
  });
  token = ((await response.json()) as { token: string }).token;
});

async function post(body: unknown) {
  const response = await fetch(`${platform.url}/v1/admin/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}
const importFile = (bytes: Uint8Array, extra: Record<string, unknown> = {}) =>
  post({ kind: 'registrar', file: Buffer.from(bytes).toString('base64'), reason: 'autumn intake list', ...extra });

let seq = 0;
const idNumbersSent: string[] = [];
/** A person as the registrar's workbook holds one: the student number and the mobile as number cells. */
function student(name: string, overrides: Partial<Record<'cardType' | 'idNumber' | 'mobile', Cell>> & { expiresOn?: Cell } = {}): Cell[] {
  seq++;
  const idNumber = demoIdNumber(600 + seq);
  idNumbersSent.push(idNumber);
  return [2027000000 + seq, name, overrides.cardType ?? 'student', 'id_card', overrides.idNumber ?? idNumber, overrides.mobile ?? 13800138000, overrides.expiresOn ?? null];
}

async function todaysEntries(): Promise<ActionLogEntry[]> {
  const days = [...new Set([campusDay(new Date(Date.now() - 10 * 60_000)), campusDay(new Date())])];
  const entries: ActionLogEntry[] = [];
  for (const day of days) entries.push(...(await listActionLogDay(platform.deps.db, day, { limit: 1000 })).entries);
  return entries;
}

describe('each kind of file, Chinese names intact', () => {
  it.each([
    ['an .xlsx workbook', 'xlsx'],
    ['CSV in UTF-8', 'utf-8'],
    ['CSV in UTF-8 with BOM', 'utf-8-bom'],
    ['CSV in GBK (Excel on Chinese Windows)', 'gbk'],
  ] as const)('imports %s', async (_name, kind) => {
    const people = [student('张三丰'), student('欧阳娜娜'), student('爨')];
    const rows = [SAMPLE_HEADER, ...people];
    const bytes = kind === 'xlsx' ? xlsxOf(rows) : csvBytesOf(rows, kind as CsvEncoding);
    const response = await importFile(bytes);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ format: { xlsx: 'xlsx', 'utf-8': 'csv-utf8', 'utf-8-bom': 'csv-utf8-bom', gbk: 'csv-gbk' }[kind], dryRun: false, rows: 3, created: 3, rejected: [] });
    const names = await Promise.all(response.body.accounts.map(async (row: { accountNo: string }) => (await getAccount(platform.deps.db, row.accountNo))!.holderName));
    expect(names).toEqual(['张三丰', '欧阳娜娜', '爨']);
    expect(response.body.accounts.map((row: { personId: string }) => row.personId)).toEqual(people.map((person) => String(person[0])));
  });

  it('reads a workbook’s date cell as the temporary card’s expiry', async () => {
    const expiresOn = addDays(campusDay(new Date()), 90);
    const visitor = student('访客李', { cardType: 'temporary', expiresOn: new Date(`${expiresOn}T00:00:00Z`) });
    const response = await importFile(xlsxOf([SAMPLE_HEADER, visitor]));
    expect(response.body).toMatchObject({ created: 1, rejected: [] });
    expect(await getAccount(platform.deps.db, response.body.accounts[0].accountNo)).toMatchObject({ cardType: 'temporary', expiresOn });
  });
});

describe('preview, import, report, re-import', () => {
  it('previews without writing, imports the same answer, reports rejected rows as a CSV, and a re-import creates nothing twice', async () => {
    const good = [student('张三丰'), student('欧阳娜娜')];
    const badMobile = student('爨', { mobile: 12345 });
    const staff = student('王教授', { cardType: 'staff' });
    const rows = [SAMPLE_HEADER, good[0]!, badMobile, [], staff, good[1]!];
    const bytes = csvBytesOf(rows, 'gbk');
    const before = (await todaysEntries()).length;

    const preview = await importFile(bytes, { dryRun: true });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, format: 'csv-gbk', rows: 4, created: 2, unchanged: 0, updated: 0 });
    expect(preview.body.accounts).toEqual([
      { line: 2, personId: String(good[0]![0]), outcome: 'created' },
      { line: 6, personId: String(good[1]![0]), outcome: 'created' },
    ]);
    expect(preview.body.rejected).toEqual([
      {
        line: 3,
        personId: String(badMobile[0]),
        reasons: ['mobile is not a valid mobile number (11 digits, or +country code and number)'],
        reasonsZh: ['手机号（mobile）无效（须为 11 位手机号，或 +国家码和号码）'],
        values: expect.objectContaining({ name: '爨', idNumber: expect.stringMatching(/^\d{6}\*{12}$/), mobile: '****' }),
      },
      expect.objectContaining({ line: 5, reasons: ['cardType must be one of student, temporary'], reasonsZh: ['卡类型（cardType）须为以下之一：student, temporary'] }),
    ]);
    for (const person of rows.slice(1)) if (person.length) expect(await findAccountByPersonId(platform.deps.db, String(person[0]))).toBeUndefined();
    expect((await todaysEntries()).length).toBe(before);

    const imported = await importFile(bytes);
    expect(imported.body).toMatchObject({ dryRun: false, rows: 4, created: 2, rejected: preview.body.rejected, rejectedCsv: preview.body.rejectedCsv });
    const numbers = imported.body.accounts.map((row: { accountNo: string }) => row.accountNo);
    expect(numbers).toEqual([expect.stringMatching(/^\d{6,}$/), expect.stringMatching(/^\d{6,}$/)]);
    const logged = (await todaysEntries()).filter((entry) => entry.target === `import:${imported.body.importId}`);
    expect(logged).toEqual([expect.objectContaining({ action: 'import', details: expect.objectContaining({ format: 'csv-gbk', created: 2, rejected: 2 }) })]);

    // The report, as the console saves it: UTF-8 with BOM for Excel, row numbers, values masked, reasons in both languages.
    const report: string = imported.body.rejectedCsv;
    expect(report.startsWith('\uFEFF')).toBe(true);
    const [header, ...lines] = parse(report.slice(1)) as string[][];
    expect(header).toEqual(['行号 row', ...SAMPLE_HEADER, '原因', 'reason']);
    expect(lines.map((line) => [line[0], line[2], line.at(-2)])).toEqual([
      ['3', '爨', '手机号（mobile）无效（须为 11 位手机号，或 +国家码和号码）'],
      ['5', '王教授', '卡类型（cardType）须为以下之一：student, temporary'],
    ]);
    for (const idNumber of idNumbersSent) expect(report).not.toContain(idNumber);

    // The same file again: the people already imported are reported unchanged, with their accounts; nothing is created twice.
    const again = await importFile(bytes);
    expect(again.body).toMatchObject({ created: 0, unchanged: 2, updated: 0, rejected: preview.body.rejected });
    expect(again.body.accounts.map((row: { accountNo: string; outcome: string }) => [row.accountNo, row.outcome])).toEqual(numbers.map((n: string) => [n, 'unchanged']));
    const previewAgain = await importFile(bytes, { dryRun: true });
    expect(previewAgain.body).toMatchObject({ created: 0, unchanged: 2 });
    expect(previewAgain.body.accounts.map((row: { accountNo: string }) => row.accountNo)).toEqual(numbers);
  });

  it('previews a change to a person already issued as an update, and leaves the account as it is', async () => {
    const someone = student('张三丰');
    const first = await importFile(xlsxOf([SAMPLE_HEADER, someone]));
    const accountNo = first.body.accounts[0].accountNo;
    const renamed = [...someone];
    renamed[1] = '张君宝';
    const preview = await importFile(xlsxOf([SAMPLE_HEADER, renamed]), { dryRun: true });
    expect(preview.body).toMatchObject({ updated: 1, accounts: [{ line: 2, accountNo, outcome: 'updated' }] });
    expect(await getAccount(platform.deps.db, accountNo)).toMatchObject({ holderName: '张三丰' });
  });
});

describe('files refused whole, nothing written', () => {
  const header = SAMPLE_HEADER;
  const tooManyRows = Array.from({ length: 1_001 }, (_, i) => [`X${i}`, 'n', 'student', 'id_card', '1', '1', null] as Cell[]);
  it.each([
    ['a PDF', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0x01, 0x02]), 400, 'IMPORT_FILE_UNREADABLE'],
    ['an old .xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 400, 'IMPORT_FILE_UNREADABLE'],
    ['a broken .xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 9, 9, 9, 9, 9, 9]), 400, 'IMPORT_FILE_UNREADABLE'],
    ['an empty file', new Uint8Array(), 400, 'IMPORT_FILE_EMPTY'],
    ['a CSV of blank lines', new TextEncoder().encode('\r\n\r\n'), 400, 'IMPORT_FILE_EMPTY'],
    ['an empty workbook', xlsxOf([]), 400, 'IMPORT_FILE_EMPTY'],
    ['a CSV whose header row cannot be read', new TextEncoder().encode('personId,"name\r\n1,2\r\n'), 400, 'IMPORT_FILE_UNREADABLE'],
    ['a header without the required columns', xlsxOf([['personId', '姓名'], [2027999999, '王五']]), 400, 'IMPORT_COLUMNS_MISSING'],
    ['a header naming a column twice', csvBytesOf([[...header, 'name'], student('王五')], 'gbk'), 400, 'IMPORT_COLUMN_REPEATED'],
    ['more than 1,000 rows', csvBytesOf([header, ...tooManyRows], 'utf-8'), 400, 'IMPORT_TOO_MANY_ROWS'],
    ['more than 1 MB', new Uint8Array(1024 * 1024 + 1).fill(0x41), 413, 'IMPORT_FILE_TOO_LARGE'],
  ] as const)('refuses %s', async (_name, bytes, status, code) => {
    const before = (await todaysEntries()).length;
    const response = await importFile(bytes);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect((await todaysEntries()).length).toBe(before);
    expect(await findAccountByPersonId(platform.deps.db, '2027999999')).toBeUndefined();
  });

  it('says which columns are missing, and the limits, in its params', async () => {
    expect((await importFile(xlsxOf([['personId', 'name'], [2027999999, '王五']]))).body).toMatchObject({ params: { columns: 'cardType, idType, idNumber, mobile' } });
    expect((await importFile(new Uint8Array(1024 * 1024 + 1).fill(0x41))).body).toMatchObject({ params: { maxMegabytes: 1 }, message: { zh: '文件超过 1 MB：请拆分后分别导入（重复导入是安全的）' } });
  });

  it.each([
    ['both file and csv', { kind: 'registrar', csv: 'personId\n', file: 'cGVyc29uSWQK' }],
    ['neither file nor csv', { kind: 'registrar' }],
    ['a file that is not base64', { kind: 'registrar', file: '%%% not base64 %%%' }],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});
