const READ_STATEMENT = /^\s*(\(\s*)*(select|with|show|describe|desc|explain|exists)\b/i;

/**
 * Why a statement may not run as a read-only query, or null when it may. The engine enforces read-only too
 * (the `readonly` setting); this check gives the data team a message instead of an engine error.
 */
export function readOnlyViolation(sql: string): string | null {
  const trimmed = sql.trim().replace(/;\s*$/, '');
  if (trimmed === '') return 'the query is empty';
  if (!READ_STATEMENT.test(trimmed)) {
    const verb = trimmed.split(/\s+/)[0]?.toUpperCase() ?? '';
    return `${verb} is not a read-only statement: only SELECT, WITH, SHOW, DESCRIBE, EXPLAIN and EXISTS run here`;
  }
  if (/;\s*\S/.test(stripStrings(trimmed))) return 'only one statement at a time';
  return null;
}

function stripStrings(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
