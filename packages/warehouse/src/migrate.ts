import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Warehouse } from './warehouse.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /** Statements after a `-- @server-only` line: users, roles, grants, row policies, which only a server has. */
  serverOnlyStatements: string[];
  checksum: string;
}

const SERVER_ONLY_MARKER = /^-- @server-only\s*$/m;

/** Splits a migration file into statements: a statement ends with `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const marker = SERVER_ONLY_MARKER.exec(text);
      const everywhere = marker === null ? text : text.slice(0, marker.index);
      const serverOnly = marker === null ? '' : text.slice(marker.index + marker[0].length);
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        statements: splitStatements(everywhere),
        serverOnlyStatements: splitStatements(serverOnly),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
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
    for (const statement of migration.statements) await warehouse.command(statement);
    if (migration.serverOnlyStatements.length > 0 && (await hasAccessManagement(warehouse))) {
      for (const statement of migration.serverOnlyStatements) await warehouse.command(statement);
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
  const read = () =>
    warehouse.query<{ version: number; checksum: string; name: string }>(
      'SELECT version, checksum, name FROM schema_migrations FINAL',
    );
  try {
    return await read();
  } catch (error) {
    if (!/UNKNOWN_TABLE|Unknown table/.test(String(error))) throw error;
  }
  await warehouse.command(`CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
    ENGINE = ReplacingMergeTree ORDER BY version`);
  return read();
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
