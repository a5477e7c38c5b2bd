import { ClickHouseError, parseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import {
  contentTypeForFormat,
  errorResponse,
  GatewayError,
  parseMultipartForm,
  parseRequestParameters,
  setStatement,
  statusForError,
  summaryHeader,
} from './protocol.ts';

describe('parseRequestParameters', () => {
  it('sorts what the client sends into query, parameters and settings', () => {
    const parsed = parseRequestParameters(
      new URLSearchParams({
        query_id: 'q1',
        param_min: '5',
        param_names: "['a\\'b']",
        insert_deduplication_token: 't1',
        async_insert: '0',
        enable_http_compression: '1',
        database: 'analytics',
        query: 'SELECT 1',
        default_format: 'CSV',
        user: 'default',
        role: 'reader',
      }),
    );
    expect(parsed).toEqual({
      query: 'SELECT 1',
      queryId: 'q1',
      database: 'analytics',
      defaultFormat: 'CSV',
      params: { min: '5', names: "['a\\'b']" },
      settings: [
        ['insert_deduplication_token', 't1'],
        ['async_insert', '0'],
      ],
    });
  });

  it('lets a later value of a setting win', () => {
    expect(
      parseRequestParameters([
        ['max_threads', '1'],
        ['max_threads', '2'],
      ]).settings,
    ).toEqual([['max_threads', '2']]);
  });

  it('refuses sessions, native compression and malformed setting names', () => {
    expect(() => parseRequestParameters([['session_id', 's']])).toThrow(/sessions/);
    expect(() => parseRequestParameters([['compress', '1']])).toThrow(/not supported/);
    expect(parseRequestParameters([['compress', '0']]).settings).toEqual([]);
    expect(() => parseRequestParameters([["x'; DROP", '1']])).toThrow(GatewayError);
  });
});

describe('parseMultipartForm', () => {
  it('reads the fields the client sends for long query parameters', () => {
    const boundary = '----clickhouse-js-abc';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {v:Array(String)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="param_v"\r\n\r\n['x\r\ny']\r\n` +
        `--${boundary}--\r\n`,
    );
    expect(parseMultipartForm(body, `multipart/form-data; boundary=${boundary}`)).toEqual([
      ['query', 'SELECT {v:Array(String)}'],
      ['param_v', "['x\r\ny']"],
    ]);
  });

  it('refuses file parts (external tables)', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="t"; filename="t.tsv"\r\n\r\n1\r\n--b--\r\n');
    expect(() => parseMultipartForm(body, 'multipart/form-data; boundary=b')).toThrow(/external tables/);
  });
});

describe('setStatement', () => {
  it('quotes every value as a string literal', () => {
    expect(setStatement([])).toBeUndefined();
    expect(
      setStatement([
        ['max_threads', '2'],
        ['insert_deduplication_token', "it's \\ a token"],
      ]),
    ).toBe("SET max_threads = '2', insert_deduplication_token = 'it\\'s \\\\ a token'");
  });
});

describe('errorResponse', () => {
  it('passes engine errors through in a shape the client parses', () => {
    const message =
      'Code: 60. DB::Exception: Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) (version 26.7.2.1). (UNKNOWN_TABLE)';
    const response = errorResponse(new Error(message));
    expect(response.status).toBe(404);
    expect(response.code).toBe(60);
    const parsed = parseError(response.body);
    expect(parsed).toBeInstanceOf(ClickHouseError);
    expect(parsed).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    expect(parsed.message).toContain('Table default.nope does not exist');
  });

  it('gives gateway errors and unexpected errors the same shape', () => {
    const own = errorResponse(new GatewayError(413, 396, 'TOO_MANY_ROWS_OR_BYTES', 'too big'));
    expect(own.status).toBe(413);
    expect(parseError(own.body)).toMatchObject({ code: '396', type: 'TOO_MANY_ROWS_OR_BYTES' });
    const other = errorResponse(new Error('Failed to create connection'));
    expect(other.status).toBe(500);
    expect(parseError(other.body)).toMatchObject({ code: '1002', type: 'UNKNOWN_EXCEPTION' });
  });

  it('maps error names to the statuses ClickHouse uses', () => {
    expect(statusForError('SYNTAX_ERROR')).toBe(400);
    expect(statusForError('CANNOT_PARSE_INPUT_ASSERTION_FAILED')).toBe(400);
    expect(statusForError('READONLY')).toBe(403);
    expect(statusForError('NOT_IMPLEMENTED')).toBe(501);
    expect(statusForError('MEMORY_LIMIT_EXCEEDED')).toBe(500);
  });
});

describe('response headers', () => {
  it('labels formats', () => {
    expect(contentTypeForFormat('JSONEachRow')).toMatch(/^application\/json/);
    expect(contentTypeForFormat('CSVWithNames')).toMatch(/^text\/csv/);
    expect(contentTypeForFormat('TSV')).toMatch(/^text\/tab-separated-values/);
    expect(contentTypeForFormat('RowBinary')).toBe('application/octet-stream');
  });

  it('writes the summary with every number as a string', () => {
    const header = JSON.parse(
      summaryHeader({
        readRows: 3,
        readBytes: 10,
        writtenRows: 3,
        writtenBytes: 24,
        resultBytes: 0,
        elapsedSeconds: 0.0015,
      }),
    ) as Record<string, unknown>;
    expect(header).toMatchObject({ read_rows: '3', written_rows: '3', written_bytes: '24', elapsed_ns: '1500000' });
    expect(Object.values(header).every((v) => typeof v === 'string')).toBe(true);
  });
});
