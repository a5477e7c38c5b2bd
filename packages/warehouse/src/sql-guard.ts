/**
 * The one check that SQL from outside passes before it runs: `pnpm cli query`, the API's SQL endpoint and the
 * warehouse gateway all go through it.
 *
 * The parser is ClickHouse's own. No maintained parser on npm reads ClickHouse's dialect (heredocs, nested
 * comments, `SETTINGS`, table functions, `INTO OUTFILE … APPEND`), and a guard whose parser disagrees with the
 * executor's is the classic way around a guard. So the engine parses: `formatQuery` turns the text into exactly
 * one canonical statement (a second statement, after a `;` or hidden in a comment, is a syntax error there),
 * `EXPLAIN AST` gives that statement's tree without running it, the tree is checked here, and it is the canonical
 * text, the very statement that was checked, that runs. The user's text reaches the engine only inside a string
 * literal until then, so nothing of it executes before it is checked.
 */

/** Runs one statement and returns its output as text (TSVRaw); `params` bound as `{name:Type}` values. */
export type RunText = (sql: string, params?: Record<string, unknown>) => Promise<string>;

/** A statement the guard will not let through, with a reason a person can act on. */
export class SqlRefused extends Error {
  override name = 'SqlRefused';
}

/** The engine could not parse the text as one statement. */
export class SqlSyntaxError extends SqlRefused {
  override name = 'SqlSyntaxError';
}

/** What a class of callers may do. */
export interface SqlPolicy {
  /** In messages: "the data team", "the ingest role". */
  readonly who: string;
  /** Root statements allowed, as EXPLAIN AST names them (SelectWithUnionQuery, InsertQuery, …). */
  readonly statements: ReadonlySet<string>;
  /** Tables an INSERT may target; undefined: any (other checks still apply). */
  readonly insertTables?: ReadonlySet<string>;
  /** Tables that must not be read or named at all (hashed API tokens, the access log). */
  readonly hiddenTables: ReadonlySet<string>;
  /** `system.*` tables that may be read (schema look-ups), `*` for all; every other one is refused. */
  readonly systemTables: ReadonlySet<string>;
  /** Whether SETTINGS clauses may appear (DDL and inserts need them; a limited query must not change its limits). */
  readonly settingsClauses: boolean;
  /** Whether a FORMAT clause may end a SELECT (over HTTP it names the response's format). */
  readonly formatClause: boolean;
}

export interface CheckedStatement {
  /** The canonical text of the statement, as the engine formatted it: run this, not the original. */
  sql: string;
  /** Root node of the tree, e.g. SelectWithUnionQuery. */
  statement: string;
  /** Tables and views the statement names (`db.table` when qualified). */
  tables: string[];
}

/** Tables whose contents are secrets of the access layer: nobody reads them through SQL from outside. */
export const ACCESS_TABLES: ReadonlySet<string> = new Set(['api_tokens', 'api_access_log']);

const SCHEMA_SYSTEM_TABLES = new Set([
  'one',
  'numbers',
  'tables',
  'columns',
  'functions',
  'table_functions',
  'data_type_families',
]);

/** The data team (and the API's SQL endpoint): SELECT, WITH … SELECT and DESCRIBE of tables and views. */
export const READ_POLICY: SqlPolicy = {
  who: 'read-only SQL',
  statements: new Set(['SelectWithUnionQuery', 'DescribeQuery']),
  hiddenTables: ACCESS_TABLES,
  systemTables: SCHEMA_SYSTEM_TABLES,
  settingsClauses: false,
  formatClause: false,
};

/**
 * The services that write (ingest, estimator, alerter, reporter) and the operator: reads, inserts and the DDL
 * that migrations run; still nothing that reaches outside the warehouse.
 */
export const WRITE_POLICY: SqlPolicy = {
  who: 'a writing service',
  statements: new Set([
    'SelectWithUnionQuery',
    'DescribeQuery',
    'InsertQuery',
    'CreateQuery',
    'DropQuery',
    'TruncateQuery',
    'AlterQuery',
    'Rename',
    'OptimizeQuery',
    'ExistsTableQuery',
    'ShowCreateTableQuery',
    'ShowTables',
    'Set',
    'UseQuery',
  ]),
  hiddenTables: new Set(),
  systemTables: new Set(['*']),
  settingsClauses: true,
  formatClause: true,
};

/** The same policy, for statements that arrive over ClickHouse's HTTP interface, FORMAT clause and all. */
export function overHttp(policy: SqlPolicy): SqlPolicy {
  return { ...policy, formatClause: true };
}

/**
 * The API's own queries (its role on the warehouse gateway): reads, the access tables included (it checks tokens),
 * and inserts into the named tables only (its access log).
 */
export function readAndInsertPolicy(who: string, tables: readonly string[]): SqlPolicy {
  return {
    who,
    statements: new Set([...READ_POLICY.statements, 'InsertQuery']),
    insertTables: new Set(tables),
    hiddenTables: new Set(),
    systemTables: SCHEMA_SYSTEM_TABLES,
    settingsClauses: false,
    formatClause: true,
  };
}

/**
 * Table functions that stay inside the engine: generated rows, literal rows, a view of a subquery (whose own
 * tables are checked like any other). Every other table function (file, url, s3, remote, executable, mysql,
 * postgresql, merge, dictionary, …) reaches outside the warehouse or around its tables, and is refused.
 */
const INSIDE_TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'values',
  'generate_series',
  'generateseries',
  'primes',
  'view',
  'null',
]);

/**
 * Ordinary functions that read the host (a file's content, disk space, an HTTP header, a model file, the
 * server's configuration) or its code (introspection).
 */
const OUTSIDE_FUNCTIONS = new Set([
  'file',
  'catboostevaluate',
  'filesystemavailable',
  'filesystemcapacity',
  'filesystemunreserved',
  'getclienthttpheader',
  'getserversetting',
  'addresstoline',
  'addresstolinewithinlines',
  'addresstosymbol',
  'demangle',
]);

/** Engines (tables and databases) that keep their data in the warehouse's own folder. */
function isInsideEngine(name: string): boolean {
  return (
    (/MergeTree$/.test(name) && !name.startsWith('Replicated')) ||
    ['Null', 'Memory', 'Set', 'Join', 'Log', 'TinyLog', 'StripeLog', 'Buffer', 'Atomic', 'Ordinary'].includes(name)
  );
}

const MEMBERSHIP_FUNCTIONS = new Set([
  'in',
  'notin',
  'globalin',
  'globalnotin',
  'nullin',
  'notnullin',
  'globalnullin',
  'globalnotnullin',
]);

/** One node of EXPLAIN AST's text tree. */
export interface AstNode {
  kind: string;
  /** What follows the kind on its line: a name, a literal, a second word of the kind. */
  detail: string;
  children: AstNode[];
}

/**
 * Reads EXPLAIN AST's text: one node per line, indented one space per level, `(alias x)` and `(children n)`
 * after the node. A tree that does not have that shape is refused rather than guessed at.
 */
export function parseAstText(text: string): AstNode {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const stack: AstNode[] = [];
  let root: AstNode | undefined;
  for (const line of lines) {
    const depth = line.length - line.trimStart().length;
    const body = line
      .trim()
      .replace(/ \(children \d+\)$/, '')
      .replace(/ \(alias [^()]*\)$/, '')
      .trim();
    const space = body.indexOf(' ');
    const node: AstNode = {
      kind: space === -1 ? body : body.slice(0, space),
      detail: space === -1 ? '' : body.slice(space + 1).trim(),
      children: [],
    };
    if (depth === 0) {
      if (root !== undefined) throw new SqlRefused('the statement could not be checked: more than one statement');
      root = node;
      stack.length = 0;
      stack.push(node);
      continue;
    }
    if (depth > stack.length) throw new SqlRefused('the statement could not be checked (unexpected syntax tree)');
    stack.length = depth;
    (stack[depth - 1] as AstNode).children.push(node);
    stack.push(node);
  }
  if (root === undefined) throw new SqlRefused('the query is empty');
  return root;
}

export interface FunctionCatalog {
  /** Lower-cased names of table functions that reach outside (every table function not known to stay inside). */
  outsideTableFunctions: ReadonlySet<string>;
  /** Lower-cased names of ordinary functions that read the host, their aliases included. */
  outsideFunctions: ReadonlySet<string>;
  currentDatabase: string;
}

function describeTable(name: string): string {
  return name.includes('.') ? name : `the table ${name}`;
}

/** The violations of a statement's tree against a policy; empty when it may run. */
export function astViolations(root: AstNode, policy: SqlPolicy, catalog: FunctionCatalog): string[] {
  const problems: string[] = [];
  // EXPLAIN AST only parses (the guard itself sends it, also through the gateway); what it explains is still
  // checked below like any statement, for what it names.
  const parseOnly = root.kind === 'Explain' && root.detail === 'EXPLAIN AST';
  if (!parseOnly && !policy.statements.has(root.kind)) {
    const allowed = policy === READ_POLICY ? 'only SELECT, WITH … SELECT and DESCRIBE run here' : 'not allowed here';
    problems.push(`${statementName(root)} is not allowed for ${policy.who}: ${allowed}`);
    return problems;
  }
  if (root.kind === 'SelectWithUnionQuery' && root.children.length > 1) {
    // After the select list come, in this order, INTO OUTFILE's path, SETTINGS and FORMAT.
    if (root.children.some((child) => child.kind === 'Literal')) {
      problems.push('INTO OUTFILE is refused: results are never written to files of the warehouse host');
    }
    if (!policy.formatClause && root.children.some((child) => child.kind === 'Identifier')) {
      problems.push('a FORMAT clause is refused here: choose the output format with the command or the request');
    }
  }
  if (root.kind === 'InsertQuery') {
    if (root.children.some((child) => child.kind === 'Literal')) {
      problems.push('INSERT … FROM INFILE is refused: the warehouse reads no files of its host');
    }
    const target = root.children.find((child) => child.kind === 'Identifier' || child.kind === 'Function');
    if (policy.insertTables !== undefined && target?.kind === 'Identifier') {
      if (!policy.insertTables.has(target.detail)) {
        problems.push(
          `${policy.who} may insert into ${[...policy.insertTables].join(', ')} only, not ${target.detail}`,
        );
      }
    }
  }
  const visit = (node: AstNode, parent: AstNode | undefined) => {
    const lower = node.detail.toLowerCase();
    switch (node.kind) {
      case 'Function': {
        const tablePosition = parent?.kind === 'TableExpression' || parent === root;
        if (parent?.kind === 'Storage') {
          // The engine comes first; PARTITION BY, ORDER BY and the rest follow as expressions.
          if (parent.children[0] === node && !isInsideEngine(node.detail))
            problems.push(`the engine ${node.detail} keeps data outside the warehouse: refused`);
        } else if (!tablePosition && catalog.outsideFunctions.has(lower)) {
          problems.push(`the function ${node.detail}() reads the warehouse host: refused`);
        } else if (catalog.outsideTableFunctions.has(lower)) {
          problems.push(`the table function ${node.detail}() reaches outside the warehouse: refused`);
        } else if (parent?.kind === 'TableExpression' && !INSIDE_TABLE_FUNCTIONS.has(lower)) {
          problems.push(`the table function ${node.detail}() is refused`);
        }
        if (MEMBERSHIP_FUNCTIONS.has(lower)) {
          // `x IN table` reads a table named by a bare identifier.
          const right = node.children[0]?.children[1];
          if (right?.kind === 'Identifier') checkTable(right.detail);
        }
        break;
      }
      case 'TableIdentifier':
        checkTable(node.detail);
        break;
      case 'Set':
        if (!policy.settingsClauses) {
          problems.push('a SETTINGS clause is refused: the limits of each query are set by the warehouse');
        }
        break;
      case 'Dictionary':
      case 'FunctionWithKeyValueArguments':
        problems.push('dictionaries are refused: their sources reach outside the warehouse');
        break;
      default:
        break;
    }
    for (const child of node.children) visit(child, node);
  };
  const checkTable = (name: string) => {
    const dot = name.indexOf('.');
    const database = dot === -1 ? undefined : name.slice(0, dot);
    const table = dot === -1 ? name : name.slice(dot + 1);
    if (database === 'system') {
      if (!policy.systemTables.has('*') && !policy.systemTables.has(table)) {
        problems.push(
          `system.${table} is not readable here (system tables allowed: ${[...policy.systemTables].join(', ')})`,
        );
      }
      return;
    }
    if (database !== undefined && database !== catalog.currentDatabase && !policy.systemTables.has('*')) {
      problems.push(`${describeTable(name)} is outside the warehouse's database ${catalog.currentDatabase}`);
      return;
    }
    if (policy.hiddenTables.has(table)) problems.push(`${describeTable(name)} is not readable here`);
  };
  visit(root, undefined);
  return [...new Set(problems)];
}

function statementName(root: AstNode): string {
  const names: Record<string, string> = {
    InsertQuery: 'INSERT',
    CreateQuery: 'CREATE',
    DropQuery: 'DROP',
    TruncateQuery: 'TRUNCATE',
    AlterQuery: 'ALTER',
    Rename: 'RENAME',
    OptimizeQuery: 'OPTIMIZE',
    AttachQuery: 'ATTACH',
    BackupQuery: 'BACKUP',
    SYSTEM: 'SYSTEM',
    Set: 'SET',
    UseQuery: 'USE',
    Explain: 'EXPLAIN',
    GrantQuery: 'GRANT',
    KillQueryQuery: 'KILL',
    ShowTables: 'SHOW',
    ExistsTableQuery: 'EXISTS',
  };
  return names[root.kind] ?? root.kind.replace(/Query$/, '').toUpperCase();
}

function collectTables(root: AstNode): string[] {
  const tables = new Set<string>();
  const visit = (node: AstNode) => {
    if (node.kind === 'TableIdentifier') tables.add(node.detail);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return [...tables];
}

/** `text` as a ClickHouse string literal: backslashes and quotes escaped, so that nothing can end it early. */
export function sqlStringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Longest statement accepted; ClickHouse's own default max_query_size is 256 KiB. */
export const MAX_SQL_BYTES = 256 * 1024;

export interface SqlGuard {
  /** Parses `sql` with the engine and checks it against `policy`; throws SqlRefused with the reasons. */
  check(sql: string, policy: SqlPolicy, params?: Record<string, unknown>): Promise<CheckedStatement>;
}

/** A guard that parses with the engine `run` reaches (the one the statement will run on). */
export function createSqlGuard(run: RunText): SqlGuard {
  let catalog: Promise<FunctionCatalog> | undefined;
  const loadCatalog = async (): Promise<FunctionCatalog> => {
    const tableFunctions = (await run('SELECT name FROM system.table_functions')).split('\n').filter(Boolean);
    const functions = (await run("SELECT name, alias_to FROM system.functions WHERE alias_to != ''"))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string]);
    const outsideFunctions = new Set(OUTSIDE_FUNCTIONS);
    for (const [name, aliasTo] of functions) {
      if (OUTSIDE_FUNCTIONS.has(aliasTo.toLowerCase())) outsideFunctions.add(name.toLowerCase());
    }
    const outsideTableFunctions = new Set(
      tableFunctions.map((name) => name.toLowerCase()).filter((name) => !INSIDE_TABLE_FUNCTIONS.has(name)),
    );
    const currentDatabase = (await run('SELECT currentDatabase()')).trim();
    return { outsideTableFunctions, outsideFunctions, currentDatabase };
  };
  return {
    async check(sql, policy, params) {
      if (Buffer.byteLength(sql) > MAX_SQL_BYTES) {
        throw new SqlRefused(`the statement is longer than ${MAX_SQL_BYTES / 1024} KiB`);
      }
      catalog ??= loadCatalog().catch((error: unknown) => {
        catalog = undefined;
        throw error;
      });
      const functions = await catalog;
      let canonical: string;
      try {
        canonical = (await run(`SELECT formatQuery(${sqlStringLiteral(sql)})`)).replace(/\n$/, '');
      } catch (error) {
        throw new SqlSyntaxError(syntaxMessage(error));
      }
      if (canonical.trim() === '') throw new SqlRefused('the query is empty');
      // formatQuery prints newlines inside the statement as they are; TSVRaw keeps them.
      const ast = parseAstText(await run(`EXPLAIN AST ${canonical}`, params));
      const problems = astViolations(ast, policy, functions);
      // EXPLAIN AST does not show what a SETTINGS clause holds; a storage disk there can be placed on any path.
      if (policy.settingsClauses && /\bdisk\s*\(/i.test(withoutQuotedText(canonical))) {
        problems.push('a disk() in SETTINGS is refused: tables stay in the warehouse folder');
      }
      if (problems.length > 0) throw new SqlRefused(`refused: ${problems.join('; ')}`);
      return { sql: canonical, statement: ast.kind, tables: collectTables(ast) };
    },
  };
}

/** The canonical text without its string literals and quoted identifiers (the engine escapes quotes with \\). */
function withoutQuotedText(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/`(?:[^`\\]|\\.)*`/g, '``');
}

function syntaxMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Code: 62. DB::Exception: Syntax error (Multi-statements are not allowed): failed at position 9 …: In scope
  // SELECT formatQuery('…'). (SYNTAX_ERROR)": the part about the user's text, without our wrapping.
  const core = message
    .replace(/^.*?DB::Exception: /s, '')
    .replace(/: In scope SELECT formatQuery\(.*$/s, '')
    .replace(/\s*\([A-Z_]+\)\s*(\(version [^)]*\))?\s*$/s, '');
  if (/Multi-statements are not allowed/.test(core)) return 'only one statement at a time';
  return core.length > 0 ? core : message;
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

/** What one query may take: SQL_MAX_* in the environment (`RuntimeConfig.queryLimits`, with its defaults). */
export interface QueryLimits {
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultRows: number;
}

/** The engine settings a guarded query runs under: its limits, read-only, no introspection. */
export function limitSettings(limits: QueryLimits): Record<string, string | number> {
  return {
    max_execution_time: limits.maxExecutionSeconds,
    max_memory_usage: limits.maxMemoryBytes,
    max_result_rows: limits.maxResultRows,
    result_overflow_mode: 'throw',
    allow_introspection_functions: 0,
    // last: once read-only, no later setting could be changed
    readonly: 1,
  };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** A message a person can act on when a query hit one of its limits; undefined for other errors. */
export function limitMessage(error: unknown, limits: QueryLimits): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (/TIMEOUT_EXCEEDED|Timeout exceeded/.test(message)) {
    return `the query ran longer than its limit of ${limits.maxExecutionSeconds} s (SQL_MAX_EXECUTION_SECONDS) and was stopped: filter on week_start or province_code, or aggregate`;
  }
  if (/MEMORY_LIMIT_EXCEEDED|memory limit exceeded/i.test(message)) {
    return `the query needed more than its memory limit of ${formatBytes(limits.maxMemoryBytes)} (SQL_MAX_MEMORY_BYTES) and was stopped: aggregate more or group by fewer keys`;
  }
  if (/TOO_MANY_ROWS_OR_BYTES|Limit for result exceeded/.test(message)) {
    return `the result has more than ${limits.maxResultRows.toLocaleString('en')} rows (SQL_MAX_RESULT_ROWS): add a LIMIT, or aggregate`;
  }
  return undefined;
}
