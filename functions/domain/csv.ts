/**
 * A small RFC 4180 reader for the registrar's and HR's lists (no CSV package is installed, and the
 * format is small enough to own). Beyond the RFC it accepts what spreadsheet exports produce: LF or
 * lone CR line ends as well as CRLF, a UTF-8 byte-order mark, and blank (or all-empty) lines, which it
 * skips. A malformed record is reported with its line and skipped; the rest of the file still reads,
 * so one bad row never hides the others from the import report.
 */

export interface CsvRecord {
  /** The 1-based line the record starts on (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  problem: string;
}

export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let i = 0;
  let line = 1;

  /** Consumes one line end (CRLF, LF or CR) at i, if there is one. */
  const lineEnd = (): boolean => {
    if (input[i] === '\r') {
      i += input[i + 1] === '\n' ? 2 : 1;
    } else if (input[i] === '\n') {
      i += 1;
    } else {
      return false;
    }
    line++;
    return true;
  };
  /** After a problem: drop the rest of the physical line, so the next record starts clean. */
  const skipLine = () => {
    while (i < input.length && !lineEnd()) i++;
  };

  while (i < input.length) {
    const startLine = line;
    const fields: string[] = [];
    let problem: string | undefined;
    for (;;) {
      let field = '';
      if (input[i] === '"') {
        i++;
        let closed = false;
        while (i < input.length) {
          const char = input[i]!;
          if (char === '"') {
            if (input[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (char === '\n' || (char === '\r' && input[i + 1] !== '\n')) line++;
          field += char;
          i++;
        }
        if (!closed) {
          problems.push({ line: startLine, problem: 'a quoted field is not closed before the end of the file' });
          return { records, problems };
        }
        if (i < input.length && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n') {
          problem = 'unexpected text after a closing quote (quote the whole field)';
        }
      } else {
        while (i < input.length && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n') {
          if (input[i] === '"') problem ??= 'a quote inside an unquoted field (quote the whole field and double the quote)';
          field += input[i];
          i++;
        }
      }
      if (problem) break;
      fields.push(field);
      if (input[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (problem) {
      problems.push({ line: startLine, problem });
      skipLine();
      continue;
    }
    lineEnd();
    if (fields.every((field) => field.trim() === '')) continue;
    records.push({ line: startLine, fields });
  }
  return { records, problems };
}
