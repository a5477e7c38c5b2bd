/**
 * What an attacker tries with read-only SQL: writing, reaching files and the network, and hiding a second
 * statement. The CLI, the API's SQL endpoint and the warehouse gateway are each tested against every entry; each
 * `refusal` is what the message must say.
 */
export interface SqlEscape {
  name: string;
  sql: string;
  refusal: RegExp;
}

// The gateway's HTTP layer refuses a second statement before the guard does, in ClickHouse's words.
const ONE_STATEMENT = /only one statement at a time|Multi-statements are not allowed/;

const tableFunction = (name: string, sql: string): SqlEscape => ({
  name: `table function ${name}`,
  sql,
  refusal: new RegExp(`table function ${name}\\(\\) reaches outside`, 'i'),
});

export const SQL_ESCAPES: readonly SqlEscape[] = [
  {
    name: 'INTO OUTFILE',
    sql: "SELECT * FROM dossier_events INTO OUTFILE '/tmp/cp-escape-outfile.csv'",
    refusal: /INTO OUTFILE/,
  },
  {
    name: 'INTO OUTFILE TRUNCATE',
    sql: "SELECT 1 INTO OUTFILE '/tmp/cp-escape-outfile.csv' TRUNCATE",
    refusal: /INTO OUTFILE/,
  },
  {
    name: 'INTO OUTFILE APPEND',
    sql: "SELECT 1 INTO OUTFILE '/tmp/cp-escape-outfile.csv' APPEND",
    refusal: /INTO OUTFILE/,
  },
  { name: 'INSERT', sql: "INSERT INTO commune_weekly_rows (event_id) VALUES ('forged')", refusal: /INSERT is not/ },
  { name: 'CREATE', sql: 'CREATE TABLE owned (x UInt8) ENGINE = Memory', refusal: /CREATE is not/ },
  { name: 'DROP', sql: 'DROP TABLE commune_weekly_rows', refusal: /DROP is not/ },
  { name: 'TRUNCATE', sql: 'TRUNCATE TABLE commune_weekly_rows', refusal: /TRUNCATE is not/ },
  { name: 'ALTER', sql: 'ALTER TABLE commune_weekly_rows DELETE WHERE 1', refusal: /ALTER is not/ },
  { name: 'SYSTEM', sql: 'SYSTEM DROP DNS CACHE', refusal: /SYSTEM is not/ },
  { name: 'SET', sql: 'SET readonly = 0', refusal: /SET is not/ },
  tableFunction('file', "DESCRIBE file('/etc/passwd', 'CSV')"),
  tableFunction('file', "SELECT * FROM file('/etc/passwd', 'LineAsString')"),
  tableFunction('url', "DESCRIBE url('http://127.0.0.1:9/x', 'CSV')"),
  tableFunction('URL', "SELECT * FROM URL('http://127.0.0.1:9/x', 'CSV', 'a String')"),
  tableFunction('s3', "SELECT * FROM s3('http://127.0.0.1:9/bucket/x.csv')"),
  tableFunction('remote', "SELECT * FROM remote('127.0.0.1:9', system.one)"),
  tableFunction('executable', "SELECT * FROM executable('id', 'TSV', 'x String')"),
  tableFunction('mysql', "SELECT * FROM mysql('127.0.0.1:9', 'db', 't', 'u', 'p')"),
  tableFunction('postgresql', "SELECT * FROM postgresql('127.0.0.1:9', 'db', 't', 'u', 'p')"),
  tableFunction('merge', "SELECT * FROM merge(currentDatabase(), '^api_')"),
  tableFunction(
    'url',
    "SELECT * FROM numbers(1) AS n JOIN url('http://127.0.0.1:9/x', 'CSV', 'number UInt64') USING number",
  ),
  tableFunction('file', "WITH x AS (SELECT * FROM file('/etc/passwd', 'LineAsString')) SELECT * FROM x"),
  tableFunction('file', "SELECT 1 WHERE 'root' IN (SELECT * FROM file('/etc/passwd', 'LineAsString'))"),
  tableFunction('file', "SELECT * FROM view(SELECT * FROM file('/etc/passwd', 'LineAsString'))"),
  tableFunction('file', "SELECT 1 UNION ALL SELECT count() FROM file('/etc/passwd', 'LineAsString')"),
  {
    name: 'the file() function',
    sql: "SELECT file('/etc/passwd')",
    refusal: /function file\(\) reads the warehouse host/,
  },
  {
    name: 'a SETTINGS clause',
    sql: 'SELECT count() FROM numbers(10) SETTINGS max_execution_time = 0',
    refusal: /SETTINGS/,
  },
  { name: 'the access tokens', sql: 'SELECT * FROM api_tokens', refusal: /api_tokens is not readable/ },
  { name: 'system tables', sql: 'SELECT * FROM system.processes', refusal: /system\.processes is not readable/ },
  { name: 'two statements', sql: 'SELECT 1; DROP TABLE commune_weekly_rows', refusal: ONE_STATEMENT },
  {
    name: 'two statements after a comment',
    sql: 'SELECT 1 -- x\n; DROP TABLE commune_weekly_rows',
    refusal: ONE_STATEMENT,
  },
  {
    name: 'a statement hidden after a nested comment',
    sql: 'SELECT 1 /* a /* nested */ still */; DROP TABLE commune_weekly_rows',
    refusal: ONE_STATEMENT,
  },
  {
    name: 'a write behind a comment',
    sql: '/* SELECT */ INSERT INTO commune_weekly_rows (event_id) VALUES (1)',
    refusal: /INSERT is not/,
  },
  { name: 'a heredoc', sql: 'SELECT $$x$$; TRUNCATE TABLE commune_weekly_rows', refusal: ONE_STATEMENT },
];

/** Reads that must still work through every path. */
export const ALLOWED_READS: readonly string[] = [
  'SELECT count() AS n FROM dossier_events',
  "WITH w AS (SELECT commune_code FROM commune_weekly) SELECT count() AS n FROM w WHERE commune_code != ';'",
  'DESCRIBE TABLE pressure_indicators',
  "SELECT 'a; DROP TABLE x' AS text -- a comment; with a semicolon",
  'SELECT number FROM numbers(3)',
];
