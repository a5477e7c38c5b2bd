import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Warehouse } from './warehouse.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface MigrationStatement {
  sql: string;
  /**
   * From a `-- when table exists: <name>` line inside the statement's comments: the statement runs only when
   * that table exists. It lets a migration carry data out of a table that an earlier run of the same migration
   * may already have dropped, so that an interrupted migration can be repeated.
   */
  whenTableExists?: string;
  /**
   * After a `-- @server-only` line, every statement of the file: users, roles, grants, row policies, which only a
   * ClickHouse server has (the embedded engine, in process or behind the gateway, has no access management).
   */
  serverOnly?: boolean;
}

export interface Migration {
  version: number;
  name: string;
  statements: MigrationStatement[];
  checksum: string;
}

const WHEN_TABLE_EXISTS = /^--\s*when table exists:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const SERVER_ONLY = /^--\s*@server-only\s*$/;

/** Splits a migration file into statements: a statement ends with `;` at the end of a line. */
export function splitStatements(sql: string): MigrationStatement[] {
  const statements: MigrationStatement[] = [];
  let lines: string[] = [];
  let whenTableExists: string | undefined;
  let serverOnly = false;
  const finish = () => {
    const text = lines.join('\n').trim();
    if (text.length > 0) {
      statements.push({
        sql: text,
        ...(whenTableExists === undefined ? {} : { whenTableExists }),
        ...(serverOnly ? { serverOnly } : {}),
      });
    }
    lines = [];
    whenTableExists = undefined;
  };
  for (const line of sql.split('\n')) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('--')) {
      whenTableExists = WHEN_TABLE_EXISTS.exec(trimmed.trimEnd())?.[1] ?? whenTableExists;
      if (SERVER_ONLY.test(trimmed.trimEnd())) serverOnly = true;
      continue;
    }
    const end = /;\s*$/.exec(line);
    lines.push(end ? line.slice(0, end.index) : line);
    if (end) finish();
  }
  finish();
  return statements;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        statements: splitStatements(text),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

async function tableExists(warehouse: Warehouse, name: string): Promise<boolean> {
  const [row] = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
    { name },
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * Applies the migrations not yet recorded, in order. Statements are written to be idempotent (IF NOT
 * EXISTS), so a run interrupted between a statement and its record is safe to repeat.
 */
export async function migrate(warehouse: Warehouse, migrations = loadMigrations()): Promise<Migration[]> {
  const applied = await appliedMigrations(warehouse);
  const appliedByVersion = new Map(applied.map((row) => [Number(row.version), row]));
  const done: Migration[] = [];
  for (const migration of migrations) {
    const previous = appliedByVersion.get(migration.version);
    if (previous) {
      if (previous.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied (checksum ${previous.checksum} in the ` +
            `warehouse, ${migration.checksum} on disk): add a new migration instead of editing an applied one`,
        );
      }
      continue;
    }
    let onServer: boolean | undefined;
    for (const statement of migration.statements) {
      if (statement.whenTableExists !== undefined && !(await tableExists(warehouse, statement.whenTableExists)))
        continue;
      if (statement.serverOnly) {
        onServer ??= await hasAccessManagement(warehouse);
        if (!onServer) continue;
      }
      await warehouse.command(statement.sql);
    }
    await warehouse.insert('schema_migrations', [
      { version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: Date.now() },
    ]);
    done.push(migration);
  }
  return done;
}

/**
 * The migrations recorded. The table is created only when it is missing: a service whose role may read but not
 * create tables (on a server, after the administrator migrated) starts without a CREATE it has no right to.
 */
async function appliedMigrations(warehouse: Warehouse) {
  if (!(await tableExists(warehouse, 'schema_migrations'))) {
    await warehouse.command(`CREATE TABLE IF NOT EXISTS schema_migrations
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
      ENGINE = ReplacingMergeTree ORDER BY version`);
  }
  return warehouse.query<{ version: number; checksum: string; name: string }>(
    'SELECT version, checksum, name FROM schema_migrations FINAL',
  );
}

/**
 * Whether the warehouse is a ClickHouse server, with users and roles: the embedded engine (in process, or behind
 * the warehouse gateway) answers chdb(), and has no access management.
 */
export async function hasAccessManagement(warehouse: Warehouse): Promise<boolean> {
  try {
    await warehouse.query('SELECT chdb()');
    return false;
  } catch {
    return true;
  }
}
