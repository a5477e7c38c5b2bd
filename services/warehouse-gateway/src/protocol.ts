/**
 * The parts of ClickHouse's HTTP interface the gateway speaks: which URL parameters are settings, how errors
 * look on the wire, and the headers a response carries. Kept apart from the server so that each rule can be
 * checked without an engine.
 */

/** URL parameters the HTTP handler consumes itself; every other name (bar `param_*`) is a setting. */
const HTTP_PARAMETERS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'client_protocol_version',
]);

/**
 * Settings that only shape the HTTP exchange (response compression, progress headers, buffering). The gateway
 * buffers every result and never compresses one, so these have nothing to act on in the engine.
 */
const HTTP_ONLY_SETTINGS = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'cancel_http_readonly_queries_on_client_close',
]);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An error to answer in ClickHouse's shape; `type` is the engine's error name, e.g. `SYNTAX_ERROR`. */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: number;
  readonly type: string;
  constructor(status: number, code: number, type: string, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = code;
    this.type = type;
  }
}

export interface RequestParameters {
  query: string | undefined;
  queryId: string | undefined;
  database: string | undefined;
  defaultFormat: string | undefined;
  /** `{name:Type}` values exactly as sent: the engine parses them as the declared type. */
  params: Record<string, string>;
  settings: Array<[name: string, value: string]>;
}

function isTruthy(value: string): boolean {
  return value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * Sorts URL (or form) parameters into the request's parts. A later value of the same name wins, as in
 * ClickHouse.
 */
export function parseRequestParameters(entries: Iterable<[string, string]>): RequestParameters {
  const result: RequestParameters = {
    query: undefined,
    queryId: undefined,
    database: undefined,
    defaultFormat: undefined,
    params: {},
    settings: [],
  };
  const settings = new Map<string, string>();
  for (const [name, value] of entries) {
    if (name.startsWith('param_')) {
      result.params[name.slice('param_'.length)] = value;
      continue;
    }
    if (!HTTP_PARAMETERS.has(name)) {
      if (HTTP_ONLY_SETTINGS.has(name)) continue;
      if (!SETTING_NAME.test(name)) {
        throw new GatewayError(400, 115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
      }
      settings.set(name, value);
      continue;
    }
    switch (name) {
      case 'query':
        result.query = value;
        break;
      case 'query_id':
        result.queryId = value;
        break;
      case 'database':
        result.database = value;
        break;
      case 'default_format':
        result.defaultFormat = value;
        break;
      case 'session_id':
        // URL settings must not outlive their query, but the engine keeps every SET on its connection; a session
        // cannot be emulated faithfully, so it is refused rather than approximated.
        throw new GatewayError(
          501,
          48,
          'NOT_IMPLEMENTED',
          'HTTP sessions (session_id) are not supported by the warehouse gateway; send each statement on its own',
        );
      case 'compress':
      case 'decompress':
        if (isTruthy(value)) {
          throw new GatewayError(
            501,
            48,
            'NOT_IMPLEMENTED',
            `${name}=1 (ClickHouse's native block compression) is not supported by the warehouse gateway; use Content-Encoding: gzip`,
          );
        }
        break;
      default:
        // Credentials, roles, quotas and buffering have no meaning for a single-user local engine.
        break;
    }
  }
  result.settings = [...settings];
  return result;
}

/** The fields of a `multipart/form-data` body (the client sends long query parameters this way). */
export function parseMultipartForm(body: Buffer, contentType: string): Array<[string, string]> {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (boundary === undefined) {
    throw new GatewayError(400, 36, 'BAD_ARGUMENTS', 'multipart/form-data request without a boundary');
  }
  const text = body.toString('utf8');
  const delimiter = `--${boundary}`;
  const fields: Array<[string, string]> = [];
  const parts = text.split(delimiter);
  // parts[0] is the preamble; the part after the closing delimiter starts with "--".
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) {
      throw new GatewayError(400, 36, 'BAD_ARGUMENTS', 'malformed multipart/form-data part');
    }
    const headers = part.slice(0, headerEnd);
    const name = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) {
      throw new GatewayError(400, 36, 'BAD_ARGUMENTS', 'multipart/form-data part without a name');
    }
    if (/content-disposition:[^\r\n]*?\bfilename=/i.test(headers)) {
      throw new GatewayError(
        501,
        48,
        'NOT_IMPLEMENTED',
        'external tables (file parts of multipart/form-data) are not supported by the warehouse gateway',
      );
    }
    let value = part.slice(headerEnd + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    fields.push([name, value]);
  }
  return fields;
}

/** `SET a = '…', b = '…'`: string literals, which the engine converts to each setting's own type. */
export function setStatement(settings: ReadonlyArray<readonly [string, string]>): string | undefined {
  if (settings.length === 0) return undefined;
  return `SET ${settings.map(([name, value]) => `${name} = ${quoteSettingValue(value)}`).join(', ')}`;
}

function quoteSettingValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// The client's own pattern (ClickHouseError parsing): greedy up to the innermost "Exception: ", lazy message,
// then a "(TYPE)" of at least three capitals.
const ERROR_PATTERN =
  /(Code|Error): (?<code>\d+).*Exception: (?<message>.+?)\((?<type>(?=[A-Z0-9_]*[A-Z]{3})[A-Z0-9_]+)\)/s;

export interface EngineErrorInfo {
  code: number;
  type: string;
}

/** Code and name of an engine error message, when it has ClickHouse's shape. */
export function engineErrorInfo(message: string): EngineErrorInfo | undefined {
  const groups = ERROR_PATTERN.exec(message)?.groups;
  if (groups?.code === undefined || groups.type === undefined) return undefined;
  return { code: Number(groups.code), type: groups.type };
}

const NOT_FOUND_TYPES = new Set([
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
]);

const BAD_REQUEST_TYPES = new Set([
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'BAD_ARGUMENTS',
  'UNKNOWN_QUERY_PARAMETER',
  'BAD_QUERY_PARAMETER',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'NO_DATA_TO_INSERT',
]);

/** The HTTP status ClickHouse answers an error with (the client reads the body whatever the status). */
export function statusForError(type: string): number {
  if (NOT_FOUND_TYPES.has(type)) return 404;
  if (BAD_REQUEST_TYPES.has(type) || type.startsWith('CANNOT_PARSE')) return 400;
  if (type === 'READONLY' || type === 'ACCESS_DENIED') return 403;
  if (type === 'QUERY_IS_TOO_LARGE') return 413;
  if (type === 'NOT_IMPLEMENTED') return 501;
  return 500;
}

export interface ErrorResponse {
  status: number;
  code: number;
  body: string;
}

/** The status, code and body for any failure: engine errors verbatim, others wrapped in ClickHouse's shape. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof GatewayError) {
    return {
      status: error.status,
      code: error.code,
      body: `Code: ${error.code}. DB::Exception: ${error.message}. (${error.type})\n`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const info = engineErrorInfo(message);
  if (info !== undefined) {
    return {
      status: statusForError(info.type),
      code: info.code,
      body: message.endsWith('\n') ? message : `${message}\n`,
    };
  }
  return { status: 500, code: 1002, body: `Code: 1002. DB::Exception: ${message}. (UNKNOWN_EXCEPTION)\n` };
}

/** Content-Type for a result format, as ClickHouse labels it. */
export function contentTypeForFormat(format: string): string {
  const name = format.toLowerCase();
  if (name.startsWith('json') || name === 'ndjson' || name === 'jsonl') return 'application/json; charset=UTF-8';
  if (name.startsWith('csv')) return 'text/csv; charset=UTF-8';
  if (name.startsWith('tabseparated') || name.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (
    name.startsWith('pretty') ||
    ['vertical', 'markdown', 'values', 'raw', 'template', 'prometheus', 'xml'].some((p) => name.startsWith(p)) ||
    name.startsWith('customseparated')
  ) {
    return 'text/plain; charset=UTF-8';
  }
  return 'application/octet-stream';
}

export interface ExecutionSummary {
  readRows: number;
  readBytes: number;
  writtenRows: number;
  writtenBytes: number;
  resultBytes: number;
  elapsedSeconds: number;
}

/** The `X-ClickHouse-Summary` header: ClickHouse sends every number as a string. */
export function summaryHeader(summary: ExecutionSummary): string {
  return JSON.stringify({
    read_rows: String(summary.readRows),
    read_bytes: String(summary.readBytes),
    written_rows: String(summary.writtenRows),
    written_bytes: String(summary.writtenBytes),
    total_rows_to_read: String(summary.readRows),
    result_bytes: String(summary.resultBytes),
    elapsed_ns: String(Math.max(0, Math.round(summary.elapsedSeconds * 1e9))),
  });
}
