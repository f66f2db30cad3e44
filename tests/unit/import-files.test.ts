/** Reading an import list, pure: .xlsx and CSV in UTF-8 (with or without BOM) and GBK, the CSV rules, refused files, the report's Chinese reasons and its CSV. */
import { parse } from 'csv-parse/sync';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsvBytes, ImportFileRefused, parseCsv, readImportFile } from '../../functions/domain/csv';
import { checkIssueRow, compareWithIssued, duplicateProblems, IMPORT_CARD_TYPES, maskedRowValues, reasonInChinese, rejectedRowsCsv, type IssueRow } from '../../functions/domain/issuance';
import type { Account } from '../../functions/domain/account';
import { DEFAULT_POLICY } from '../../functions/domain/policy';
import { demoIdNumber } from '../../functions/local/seed';
import { csvBytesOf, SAMPLE_HEADER, xlsxOf, type Cell } from '../fixtures/imports/make-fixtures';

const NAMES = ['张三丰', '欧阳娜娜', '爨'];
const rows: Cell[][] = [
  SAMPLE_HEADER,
  [2026000001, NAMES[0]!, 'student', 'id_card', demoIdNumber(1), 13800138000, null],
  [2026000002, NAMES[1]!, 'temporary', 'passport', 'E12345678', '+852 9123 4567', new Date('2026-12-31T00:00:00Z')],
  [2026000003, NAMES[2]!, 'student', 'id_card', demoIdNumber(3), 13800138003, null],
];
const expected = [
  SAMPLE_HEADER,
  ['2026000001', '张三丰', 'student', 'id_card', demoIdNumber(1), '13800138000', ''],
  ['2026000002', '欧阳娜娜', 'temporary', 'passport', 'E12345678', '+852 9123 4567', '2026-12-31'],
  ['2026000003', '爨', 'student', 'id_card', demoIdNumber(3), '13800138003', ''],
];

async function refusal(bytes: Uint8Array) {
  const error = await readImportFile(bytes).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ImportFileRefused);
  return (error as ImportFileRefused).refusal;
}

describe('readImportFile: each kind of file a card centre receives, Chinese names intact', () => {
  it.each([
    ['an .xlsx workbook', () => xlsxOf(rows), 'xlsx'],
    ['CSV in UTF-8', () => csvBytesOf(rows, 'utf-8'), 'csv-utf8'],
    ['CSV in UTF-8 with BOM (Excel’s “CSV UTF-8”)', () => csvBytesOf(rows, 'utf-8-bom'), 'csv-utf8-bom'],
    ['CSV in GBK (Excel’s “CSV” on Chinese Windows)', () => csvBytesOf(rows, 'gbk'), 'csv-gbk'],
  ] as const)('reads %s', async (_name, bytes, format) => {
    const sheet = await readImportFile(bytes());
    expect(sheet.format).toBe(format);
    expect(sheet.problems).toEqual([]);
    expect(sheet.records.map((record) => record.fields)).toEqual(expected);
    expect(sheet.records.map((record) => record.line)).toEqual([1, 2, 3, 4]);
  });

  it('tells GBK from UTF-8 by the bytes: the same text in GBK is not valid UTF-8, and decodes back exactly', () => {
    const text = `${NAMES.join(',')}\r\n`;
    expect(decodeCsvBytes(new Uint8Array(iconv.encode(text, 'gbk')))).toEqual({ text, format: 'csv-gbk' });
    expect(decodeCsvBytes(new TextEncoder().encode(text))).toEqual({ text, format: 'csv-utf8' });
    expect(decodeCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]))).toEqual({ text, format: 'csv-utf8-bom' });
  });

  it('keeps Excel’s row numbers across blank rows in a workbook and in a CSV', async () => {
    const gappy: Cell[][] = [rows[0]!, rows[1]!, [], [null, null], rows[3]!];
    for (const bytes of [xlsxOf(gappy), csvBytesOf(gappy, 'gbk')]) {
      expect((await readImportFile(bytes)).records.map((record) => record.line)).toEqual([1, 2, 5]);
    }
  });

  it('refuses what is not a list: nothing, a binary file, an old .xls, a broken zip, an empty workbook', async () => {
    expect(await refusal(new Uint8Array())).toBe('empty');
    expect(await refusal(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02, 0xff]))).toBe('unreadable');
    expect(await refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]))).toBe('unreadable');
    expect(await refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]))).toBe('unreadable');
    expect(await refusal(xlsxOf([]))).toBe('empty');
    // A zip bomb: 40 MB of zeros packed into a few kilobytes, refused by its directory before inflating.
    const bomb = await readImportFile(zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(40 * 1024 * 1024) })).catch((caught: unknown) => caught);
    expect(bomb).toMatchObject({ refusal: 'unreadable', problem: expect.stringContaining('unpacks to more than') });
    expect(await refusal(new TextEncoder().encode('\r\n\r\n'))).toBe('empty');
  });
});

describe('parseCsv (RFC 4180 through csv-parse)', () => {
  it('reads fields, quoted fields with commas, doubled quotes and line breaks; a record with a line break is one row', () => {
    const { records, problems } = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nlast,,\r\nend');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
      { line: 3, fields: ['last', '', ''] },
      { line: 4, fields: ['end'] },
    ]);
  });

  it('reads LF-only and CR-only files', () => {
    expect(parseCsv('a,b\n1,2\n').records.map((record) => record.fields)).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\r1,2\r').records.map((record) => record.fields)).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('drops a byte-order mark, blank lines and all-empty lines (spreadsheet exports)', () => {
    const { records } = parseCsv('\uFEFFpersonId,name\n\n,\n2024000001,王小明\n');
    expect(records.map((record) => record.fields)).toEqual([['personId', 'name'], ['2024000001', '王小明']]);
  });

  it('reports a badly quoted row by its number and keeps reading the rows after it', () => {
    const { records, problems } = parseCsv('a,b\nbad"quote,1\n"closed"junk,2\nok,3\n');
    expect(problems).toEqual([
      { line: 2, problem: expect.stringContaining('quote inside an unquoted field') },
      { line: 3, problem: expect.stringContaining('after a closing quote') },
    ]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 4, fields: ['ok', '3'] },
    ]);
  });

  it('reports a quoted field left open at the end of the file', () => {
    const { records, problems } = parseCsv('a,b\n1,"never closed\n2,3\n');
    expect(records).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(problems).toEqual([{ line: 2, problem: expect.stringContaining('not closed') }]);
  });
});

describe('the report: reasons in Chinese, and the rejected rows as a CSV for Excel', () => {
  const context = { today: '2026-09-01', policy: DEFAULT_POLICY, cardTypes: IMPORT_CARD_TYPES.registrar };

  it('every reason the rules and the reader give has its Chinese wording', () => {
    const bad: IssueRow[] = [
      {},
      { personId: 'bad id!', name: 'x'.repeat(51), cardType: 'staff', idType: 'id_card', idNumber: '110105200001010000', mobile: '12345', expiresOn: '2026-10-01' },
      { personId: 'P1', name: 'a\u0007b', cardType: 'temporary', idType: 'passport', idNumber: 'E1', mobile: '13800138000' },
      { personId: 'P1', name: 'a', cardType: 'student', idType: 'passport', idNumber: 'ABCDEFGH', mobile: '13800138000' },
      { personId: 'P1', name: 'a', cardType: 'student', idType: 'other', idNumber: 'x', mobile: '13800138000' },
    ];
    const reasons = bad.flatMap((row) => {
      const check = checkIssueRow(row, context);
      return check.ok ? [] : check.problems.map((problem) => problem.reason);
    });
    reasons.push(...[...duplicateProblems([{ line: 2, personId: 'A', idNumber: 'X' }, { line: 3, personId: 'A', idNumber: 'X' }]).values()].flat());
    const request = { personId: 'P1', holderName: '张三', cardType: 'student', idType: 'id_card', idNumber: demoIdNumber(1), mobile: '13800138000', defaultPassword: '000000' } as const;
    const identity = { idType: 'passport', idNumberMasked: '', idNumberDigest: 'other', mobileMasked: '', mobileDigest: '' } as const;
    const account = { accountNo: '100001', idType: 'id_card', idNumberDigest: 'd', cardType: 'staff', status: 'cancelled', holderName: 'x', mobileDigest: 'm' } as unknown as Account;
    for (const compared of [compareWithIssued(account, request, identity), compareWithIssued({ ...account, idNumberDigest: undefined } as unknown as Account, request, identity), compareWithIssued({ ...account, cardType: 'student', idType: 'passport', idNumberDigest: 'other' } as Account, request, identity)]) {
      if (compared.outcome === 'rejected') reasons.push(...compared.reasons);
    }
    reasons.push(...parseCsv('a,b\nbad"q,1\n"c"j,2\n3,"open\n').problems.map((problem) => problem.problem));
    reasons.push('expected 7 fields as in the header, found 2', 'the account kept changing during the import: import this row again');
    expect(reasons.length).toBeGreaterThan(20);
    const untranslated = reasons.filter((reason) => !/[\u4e00-\u9fff]/.test(reasonInChinese(reason)));
    expect(untranslated).toEqual([]);
    expect(reasonInChinese('temporary cards need expiresOn within 365 days (2026-09-01 to 2027-09-01)')).toBe('临时卡须填写有效期（expiresOn），在 365 天之内（2026-09-01 至 2027-09-01）');
  });

  it('masks ID and mobile numbers in a rejected row’s values, and an ID number in a shifted column', () => {
    expect(maskedRowValues({ personId: demoIdNumber(7), name: '张三丰', idNumber: demoIdNumber(1), mobile: '13800138000' })).toEqual({
      personId: expect.stringMatching(/^110105\*{12}$/),
      name: '张三丰',
      idNumber: expect.stringMatching(/^110105\*{12}$/),
      mobile: '138****8000',
    });
  });

  it('writes UTF-8 with a BOM and CRLF, the row number, the values, the reasons in both languages, formulas defused', () => {
    const csv = rejectedRowsCsv([
      { line: 3, reasons: ['mobile is required'], reasonsZh: ['缺少手机号（mobile）'], values: { personId: '2026000001', name: '欧阳娜娜', cardType: '=HYPERLINK("x")' } },
      { line: 7, reasons: ['a', 'b'], reasonsZh: ['甲', '乙'] },
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(4);
    const [header, first, second] = parse(csv.slice(1)) as string[][];
    expect(header).toEqual(['行号 row', ...SAMPLE_HEADER, '原因', 'reason']);
    expect(first).toEqual(['3', '2026000001', '欧阳娜娜', `'=HYPERLINK("x")`, '', '', '', '', '缺少手机号（mobile）', 'mobile is required']);
    expect(second).toEqual(['7', '', '', '', '', '', '', '', '甲；乙', 'a; b']);
    expect(rejectedRowsCsv([])).toBe(`\uFEFF${header!.join(',')}\r\n`);
  });
});
