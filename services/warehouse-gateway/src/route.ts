import { GatewayError } from './protocol.ts';
import { analyseSql, type KnownFormats, type SqlShape } from './sql-scan.ts';

export interface RoutedStatement {
  /** The SQL the engine parses: the whole statement, or the `INSERT … FORMAT x` prefix of `rows`. */
  sql: string;
  /** Inline rows of an `INSERT … FORMAT x`, as bytes (they may be binary). */
  rows: Buffer | undefined;
  keyword: string | undefined;
  /** The statement's own FORMAT clause, for the response headers. */
  outputFormat: string | undefined;
}

function checkSingleStatement(shape: SqlShape): void {
  if (shape.keyword === undefined) throw new GatewayError(400, 62, 'SYNTAX_ERROR', 'Empty query');
  // The engine would run every statement and concatenate their outputs; a ClickHouse server refuses instead,
  // and code that passes here must pass there.
  if (shape.multiStatement) throw new GatewayError(400, 62, 'SYNTAX_ERROR', 'Multi-statements are not allowed');
}

function fromText(text: string, formats: KnownFormats): RoutedStatement {
  const shape = analyseSql(text, formats);
  checkSingleStatement(shape);
  return { sql: text, rows: undefined, keyword: shape.keyword, outputFormat: shape.outputFormat };
}

/** The query in a body of bytes; offsets of a latin1 reading are byte offsets, whatever the rows hold. */
function fromBytes(bytes: Buffer, formats: KnownFormats): RoutedStatement {
  const shape = analyseSql(bytes.toString('latin1'), formats);
  if (shape.insertData !== undefined) {
    return {
      sql: bytes.subarray(0, shape.insertData.prefixEnd).toString('utf8'),
      rows: bytes.subarray(shape.insertData.dataStart),
      keyword: shape.keyword,
      outputFormat: undefined,
    };
  }
  return fromText(bytes.toString('utf8'), formats);
}

/**
 * Splits a request into statement and rows the way ClickHouse's HTTP handler reads it: the `query` parameter,
 * a newline, then the body, parsed as one text in which the rows of an `INSERT … FORMAT x` start right after
 * the format name. Rows are never turned into a string, so that binary formats and large bodies pass as they
 * came.
 */
export function routeStatement(query: string | undefined, body: Buffer, formats: KnownFormats): RoutedStatement {
  if (query === undefined) return fromBytes(body, formats);
  // Read as the engine reads it, newline included: rows then usually start right after it, the body being the rows.
  const joined = `${query}\n`;
  const shape = analyseSql(joined, formats);
  if (shape.insertData !== undefined) {
    const inQuery = joined.slice(shape.insertData.dataStart);
    return {
      sql: query.slice(0, shape.insertData.prefixEnd),
      rows: inQuery === '' ? body : Buffer.concat([Buffer.from(inQuery, 'utf8'), body]),
      keyword: shape.keyword,
      outputFormat: undefined,
    };
  }
  if (body.length === 0) return fromText(query, formats);
  if (shape.keyword === 'INSERT') return fromBytes(Buffer.concat([Buffer.from(`${query}\n`, 'utf8'), body]), formats);
  return fromText(`${query}\n${body.toString('utf8')}`, formats);
}
