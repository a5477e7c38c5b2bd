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

export type CsvTable<Column extends string> = {
  readonly header: CsvRecord;
  readonly records: readonly CsvRecord[];
  /** where each required column stands in a record */
  readonly columnIndex: ReadonlyMap<Column, number>;
};

/**
 * Reads a CSV file with a header naming its columns (any order, other columns ignored, names matched without
 * case): the records with the position of every required column, or the header's problems with their line.
 * `rowsName` names the rows in the message for a file without any ("procedure rows").
 */
export function readCsvTable<Column extends string>(
  text: string,
  columns: readonly Column[],
  rowsName: string,
): { readonly ok: true; readonly table: CsvTable<Column> } | { readonly ok: false; readonly errors: CsvLineError[] } {
  const read = readCsv(text);
  if (!read.ok) return { ok: false, errors: [read.error] };
  const [header, ...records] = read.records;
  if (header === undefined) return { ok: false, errors: [{ line: 1, message: 'the file is empty: no header row' }] };
  const columnNames = header.fields.map((name) => name.trim().toLowerCase());
  const errors: CsvLineError[] = [];
  const columnIndex = new Map<Column, number>();
  for (const column of columns) {
    const first = columnNames.indexOf(column);
    if (first === -1) continue;
    if (columnNames.indexOf(column, first + 1) !== -1) {
      errors.push({ line: header.line, message: `column ${column} appears more than once` });
    }
    columnIndex.set(column, first);
  }
  const missing = columns.filter((column) => !columnIndex.has(column));
  if (missing.length > 0) {
    errors.push({ line: header.line, message: `missing required column(s): ${missing.join(', ')}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (records.length === 0)
    return { ok: false, errors: [{ line: header.line, message: `the file has no ${rowsName}` }] };
  return { ok: true, table: { header, records, columnIndex } };
}

/**
 * The problem of a record whose fields do not line up with the header's, or undefined. A trailing empty field (a
 * stray comma at the end of the line) is harmless; anything else is a shifted row.
 */
export function shiftedRecordError(record: CsvRecord, headerWidth: number): CsvLineError | undefined {
  const surplus = record.fields.slice(headerWidth).some((f) => f.trim() !== '');
  if (record.fields.length >= headerWidth && !surplus) return undefined;
  return {
    line: record.line,
    message: `expected ${headerWidth} fields as in the header, found ${record.fields.length}`,
  };
}

/** A field as RFC 4180 writes it: quoted, quotes doubled, when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
