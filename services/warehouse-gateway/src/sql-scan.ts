/**
 * Just enough of ClickHouse's lexer to route a request: which statement it is, where the data of an
 * `INSERT … FORMAT x` begins, which output format a trailing `FORMAT` clause asks for, and whether the text
 * holds more than one statement. Strings, quoted identifiers, comments and heredocs are skipped as units so
 * that a `;` or a `FORMAT` inside them never counts.
 */

interface Token {
  /** `word` is a keyword, identifier or number; `quoted` a string literal, quoted identifier or heredoc. */
  kind: 'word' | 'quoted' | 'punct';
  text: string;
  start: number;
  end: number;
  /** Bracket depth before this token: clauses of the statement itself sit at depth 0. */
  depth: number;
}

const WORD_CHAR = /[A-Za-z0-9_$.]/;

function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      // A doubled quote is an escaped quote, not the end.
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

function skipBlockComment(text: string, start: number): number {
  // ClickHouse block comments nest.
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}

function heredocEnd(text: string, start: number): number | undefined {
  const open = /^\$([A-Za-z0-9_]*)\$/.exec(text.slice(start, start + 256));
  if (!open) return undefined;
  const close = text.indexOf(open[0], start + open[0].length);
  return close === -1 ? text.length : close + open[0].length;
}

function* tokens(text: string, from = 0): Generator<Token> {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (text.startsWith('--', i) || (c === '#' && (text[i + 1] === ' ' || text[i + 1] === '!'))) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol + 1;
      continue;
    }
    if (text.startsWith('/*', i)) {
      i = skipBlockComment(text, i);
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(text, i, c);
      yield { kind: 'quoted', text: text.slice(start, i), start, end: i, depth };
      continue;
    }
    if (c === '$') {
      const end = heredocEnd(text, i);
      if (end !== undefined) {
        i = end;
        yield { kind: 'quoted', text: text.slice(start, i), start, end: i, depth };
        continue;
      }
    }
    if (WORD_CHAR.test(c)) {
      while (i < text.length && WORD_CHAR.test(text[i] as string)) i++;
      yield { kind: 'word', text: text.slice(start, i), start, end: i, depth };
      continue;
    }
    i++;
    yield { kind: 'punct', text: c, start, end: i, depth };
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
}

export interface InsertData {
  /** The statement up to and including the format name: what the engine parses as SQL. */
  prefixEnd: number;
  /** Where the rows begin, by ClickHouse's rule: after spaces and tabs, then one optional CR LF or LF. */
  dataStart: number;
  format: string;
}

export interface SqlShape {
  /** First keyword, upper-cased (`SELECT`, `INSERT`, …); undefined for empty text. */
  keyword: string | undefined;
  /** For `INSERT … FORMAT x` followed by inline rows. */
  insertData: InsertData | undefined;
  /** The format named by the statement's own `FORMAT` clause, when it is not an insert. */
  outputFormat: string | undefined;
  /** A second statement after a `;` (ClickHouse's HTTP interface refuses those). */
  multiStatement: boolean;
}

function dataStartAfter(text: string, end: number): number {
  let i = end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

/** Format names the engine knows, lower-cased: a word after `FORMAT` counts only when it is one of them. */
export interface KnownFormats {
  input: ReadonlySet<string>;
  output: ReadonlySet<string>;
}

/**
 * Describes the statement in `text`. For an insert, scanning stops at the format name, so that rows after it
 * (possibly binary, read here as latin1) are never lexed as SQL.
 *
 * A word after `FORMAT` is taken as the format only when the engine knows a format of that name: that is what
 * tells `INSERT INTO format FORMAT CSV` and `SELECT format FROM t` apart from the clause.
 */
export function analyseSql(text: string, formats: KnownFormats): SqlShape {
  const shape: SqlShape = { keyword: undefined, insertData: undefined, outputFormat: undefined, multiStatement: false };
  let afterFormat = false;
  let ended = false;
  for (const token of tokens(text)) {
    if (ended) {
      if (token.kind === 'punct' && token.text === ';') continue;
      shape.multiStatement = true;
      break;
    }
    if (shape.keyword === undefined) {
      shape.keyword = token.kind === 'word' ? token.text.toUpperCase() : token.text;
    }
    if (token.depth === 0 && token.kind === 'punct' && token.text === ';') {
      ended = true;
      continue;
    }
    const word = token.kind === 'word' ? token.text.toLowerCase() : undefined;
    if (afterFormat && word !== undefined) {
      if (shape.keyword === 'INSERT' && formats.input.has(word)) {
        shape.insertData = { prefixEnd: token.end, dataStart: dataStartAfter(text, token.end), format: token.text };
        return shape;
      }
      if (shape.keyword !== 'INSERT' && formats.output.has(word)) shape.outputFormat = token.text;
    }
    afterFormat = token.depth === 0 && word === 'format';
    // Rows after VALUES are SQL literals the engine parses itself; there is no format clause to find.
    if (shape.keyword === 'INSERT' && token.depth === 0 && word === 'values') return shape;
  }
  return shape;
}

/** `name` as a backquoted identifier. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** `value` as a single-quoted string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
