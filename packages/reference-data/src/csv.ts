// RFC 4180 reader for the reference CSV files. Errors name the physical line so that a ministry clerk can fix
// the file in a spreadsheet; a record spanning lines (a quoted field with a line break) reports its first line.

export type CsvRecord = {
  /** 1-based line on which the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
};

export type CsvLineError = { readonly line: number; readonly message: string };

export type CsvReadResult =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly error: CsvLineError };

/**
 * Splits CSV text into records. Tolerates a UTF-8 BOM, CRLF / LF / CR line ends and blank lines (skipped, as
 * are rows whose fields are all empty, which spreadsheets leave behind). Quoted fields may hold commas, line
 * breaks and doubled quotes; whitespace around a quoted field is ignored.
 */
export function readCsv(text: string): CsvReadResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let fieldWasQuoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;

  const endField = () => {
    fields.push(fieldWasQuoted ? field : field.trim());
    field = '';
    fieldWasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (fields.some((f) => f.trim() !== '')) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < source.length) {
    const ch = source[i];
    if (ch === '"' && !fieldWasQuoted && field.trim() === '') {
      const quoteLine = line;
      field = '';
      fieldWasQuoted = true;
      i += 1;
      for (;;) {
        if (i >= source.length) return fail(quoteLine, 'unterminated quoted field');
        const q = source[i];
        if (q === '"') {
          if (source[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (q === '\n' || (q === '\r' && source[i + 1] !== '\n')) line += 1;
        field += q;
        i += 1;
      }
      // Only blanks may separate the closing quote from the next delimiter.
      while (source[i] === ' ' || source[i] === '\t') i += 1;
      const next = source[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return fail(line, `unexpected character ${JSON.stringify(next)} after a closing quote`);
      }
      continue;
    }
    if (ch === '"') return fail(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
    if (ch === ',') {
      endField();
      i += 1;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
    } else {
      field += ch;
      i += 1;
    }
  }
  endRecord();
  return { ok: true, records };
}

function fail(line: number, message: string): CsvReadResult {
  return { ok: false, error: { line, message } };
}
