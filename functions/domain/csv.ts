/**
 * Reading a registrar's or HR's list as the card centre receives it: an Excel workbook (.xlsx), or a
 * CSV that Excel saved — UTF-8 with or without a byte-order mark, or GBK, which is what Excel on
 * Chinese Windows writes unless told otherwise. The format is told by the bytes (a zip signature is an
 * .xlsx), never by a file name. Parsing is csv-parse's and read-excel-file's; this module only decides
 * the format and encoding and turns cells into the text the issue rules check.
 *
 * Rows are numbered as Excel numbers them (the header is row 1), so the clerk finds a rejected row by
 * the number in the report; in a CSV without line breaks inside cells that is also its line.
 */
import { parse, CsvError } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import type { ImportFileFormat } from '../../shared/vocabulary';

export interface SheetRecord {
  /** The row number as Excel shows it (1 is the header). */
  line: number;
  fields: string[];
}

export interface SheetProblem {
  line: number;
  problem: string;
}

/** How a file's bytes were read (csv-text, the request's text field, is not a file). */
export type FileFormat = Exclude<ImportFileFormat, 'csv-text'>;

export interface ImportSheet {
  format: FileFormat;
  records: SheetRecord[];
  problems: SheetProblem[];
}

/** Why a whole file is refused (nothing in it is imported). */
export type FileRefusal = 'unreadable' | 'empty';

export class ImportFileRefused extends Error {
  constructor(
    readonly refusal: FileRefusal,
    readonly problem: string,
  ) {
    super(problem);
    this.name = 'ImportFileRefused';
  }
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
// The legacy binary .xls (an OLE compound file): Excel can resave it as .xlsx.
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
// Text a spreadsheet writes has no control characters but tab and line ends; a binary file has plenty.
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte);

/** A UTF-8 byte-order mark → UTF-8; otherwise bytes that are valid UTF-8 → UTF-8; otherwise GBK. */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; format: Exclude<FileFormat, 'xlsx'> } {
  if (startsWith(bytes, UTF8_BOM)) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), format: 'csv-utf8-bom' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), format: 'csv-utf8' };
  } catch {
    // Not UTF-8: GBK is what is left. (GB18030 is a superset iconv-lite reads the same way for every GBK byte.)
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030'), format: 'csv-gbk' };
  }
}

const CSV_PROBLEMS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quote)',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected text after a closing quote (quote the whole field)',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed before the end of the file',
};
const csvProblem = (error: unknown) => (error instanceof CsvError && CSV_PROBLEMS[error.code]) || `the row cannot be read as CSV (${error instanceof Error ? error.message : String(error)})`;

/** The line end the file uses (Excel writes CRLF; a cell's own line breaks inside quotes are LF). */
function recordDelimiter(text: string): string {
  const first = /\r\n|\n|\r/.exec(text);
  return first ? first[0] : '\r\n';
}

/**
 * RFC 4180 through csv-parse. Quotes are read leniently so one badly quoted row cannot swallow the rows
 * after it (csv-parse's strict mode loses its place there); each row is then re-read strictly on its
 * own, and a row that fails is reported by its number and left out. Blank rows are skipped but counted.
 */
export function parseCsv(text: string): { records: SheetRecord[]; problems: SheetProblem[] } {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const delimiter = recordDelimiter(input);
  const records: SheetRecord[] = [];
  const problems: SheetProblem[] = [];
  const skipped: unknown[] = [];
  const parsed = parse(input, {
    record_delimiter: delimiter,
    relax_quotes: true,
    relax_column_count: true,
    raw: true,
    skip_records_with_error: true,
    // Only an unclosed quote gets here, and it runs to the end of the file: the row after the last one read.
    on_skip: (error) => {
      skipped.push(error);
    },
    // With raw: true each record comes as { record, raw } (the sync parser's types do not say so).
  }) as unknown as { record: string[]; raw: string }[];
  const rows = parsed.map(({ record, raw }, index) => ({ line: index + 1, record, raw }));
  for (const error of skipped) problems.push({ line: rows.length + 1, problem: csvProblem(error) });
  for (const { line, record, raw } of rows) {
    try {
      // raw may end in (part of) the record's line end; a line end is never part of a field there.
      parse(raw.replace(/[\r\n]+$/, ''), { record_delimiter: delimiter, relax_column_count: true });
    } catch (error) {
      problems.push({ line, problem: csvProblem(error) });
      continue;
    }
    if (record.every((field) => field.trim() === '')) continue;
    records.push({ line, fields: record });
  }
  problems.sort((a, b) => a.line - b.line);
  return { records, problems };
}

/** A cell as the text a clerk typed: numbers without exponent or grouping, dates as YYYY-MM-DD. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') return Number.isInteger(cell) && Math.abs(cell) < 2 ** 53 ? BigInt(cell).toString() : String(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

/** A 1,000-row sheet unpacks to well under 1 MB; far more is a zip bomb, refused before anything is inflated. */
const MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024;

/** The sizes the zip's directory declares, read without inflating anything (the filter keeps no entry). */
function unpackedSize(bytes: Uint8Array): number {
  let total = 0;
  unzipSync(bytes, {
    filter: (entry) => {
      total += entry.originalSize;
      return false;
    },
  });
  return total;
}

async function readXlsx(bytes: Uint8Array): Promise<{ records: SheetRecord[]; problems: SheetProblem[] }> {
  let data: unknown[][];
  try {
    if (unpackedSize(bytes) > MAX_XLSX_UNPACKED_BYTES) throw new Error(`it unpacks to more than ${MAX_XLSX_UNPACKED_BYTES} bytes`);
    // The first sheet; Excel's own row numbers are kept by not trimming blank rows away here.
    data = (await readSheet(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 1, { trim: false })) as unknown[][];
  } catch (error) {
    throw new ImportFileRefused('unreadable', `the file starts like an .xlsx workbook but cannot be read as one (${error instanceof Error ? error.message : String(error)})`);
  }
  const records: SheetRecord[] = [];
  data.forEach((cells, index) => {
    const fields = cells.map(cellText);
    if (fields.every((field) => field.trim() === '')) return;
    records.push({ line: index + 1, fields });
  });
  return { records, problems: [] };
}

/** The rows of an uploaded list, whichever of the accepted kinds it is. */
export async function readImportFile(bytes: Uint8Array): Promise<ImportSheet> {
  if (bytes.length === 0) throw new ImportFileRefused('empty', 'the file is empty');
  if (startsWith(bytes, ZIP_SIGNATURE)) {
    const sheet = await readXlsx(bytes);
    if (sheet.records.length === 0) throw new ImportFileRefused('empty', 'the workbook’s first sheet has no rows');
    return { format: 'xlsx', ...sheet };
  }
  if (startsWith(bytes, OLE_SIGNATURE)) {
    throw new ImportFileRefused('unreadable', 'this is an old Excel .xls file: save it as .xlsx (Excel workbook) or CSV and upload that');
  }
  const { text, format } = decodeCsvBytes(bytes);
  if (BINARY.test(text)) throw new ImportFileRefused('unreadable', 'the file is neither an .xlsx workbook nor CSV text');
  return { format, ...readCsvText(text) };
}

/** A CSV already as text (the contract's `csv` field). */
export function readCsvText(text: string): { records: SheetRecord[]; problems: SheetProblem[] } {
  const sheet = parseCsv(text);
  if (sheet.records.length === 0 && sheet.problems.length === 0) throw new ImportFileRefused('empty', 'the file has no header row');
  return sheet;
}
