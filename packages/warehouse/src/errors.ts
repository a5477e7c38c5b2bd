/**
 * ClickHouse error codes that say the data of an insert is wrong (it cannot be parsed, converted or stored),
 * as opposed to the warehouse being unavailable. Only these make the ingest split a chunk to isolate the
 * offending rows; any other error is treated as transient and retried.
 */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  459, // CANNOT_PARSE_BOOL
  1001, // STD_EXCEPTION (e.g. invalid UTF-8 in a string a function reads)
]);

/** The ClickHouse error code of an error from the embedded engine or a server, when it has one. */
export function clickhouseErrorCode(error: unknown): number | null {
  if (error === null || typeof error !== 'object') return null;
  const withCode = error as { clickhouseCode?: unknown; code?: unknown; message?: unknown };
  if (typeof withCode.clickhouseCode === 'number') return withCode.clickhouseCode;
  if (typeof withCode.code === 'string' && /^\d+$/.test(withCode.code)) return Number(withCode.code);
  const fromMessage = /\bCode: (\d+)\./.exec(String(withCode.message ?? ''));
  return fromMessage ? Number(fromMessage[1]) : null;
}

/** Whether the warehouse refused an insert because of its data (see DATA_ERROR_CODES). */
export function isDataRefusal(error: unknown): boolean {
  const code = clickhouseErrorCode(error);
  return code !== null && DATA_ERROR_CODES.has(code);
}
