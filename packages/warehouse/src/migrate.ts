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
}

export interface Migration {
  version: number;
  name: string;
  statements: MigrationStatement[];
  checksum: string;
}

const WHEN_TABLE_EXISTS = /^--\s*when table exists:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** Splits a migration file into statements: a statement ends with `;` at the end of a line. */
export function splitStatements(sql: string): MigrationStatement[] {
  const statements: MigrationStatement[] = [];
  let lines: string[] = [];
  let whenTableExists: string | undefined;
  const finish = () => {
    const text = lines.join('\n').trim();
    if (text.length > 0)
      statements.push(whenTableExists === undefined ? { sql: text } : { sql: text, whenTableExists });
    lines = [];
    whenTableExists = undefined;
  };
  for (const line of sql.split('\n')) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('--')) {
      whenTableExists = WHEN_TABLE_EXISTS.exec(trimmed.trimEnd())?.[1] ?? whenTableExists;
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
  await warehouse.command(`CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
    ENGINE = ReplacingMergeTree ORDER BY version`);
  const applied = await warehouse.query<{ version: number; checksum: string; name: string }>(
    'SELECT version, checksum, name FROM schema_migrations FINAL',
  );
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
    for (const statement of migration.statements) {
      if (statement.whenTableExists !== undefined && !(await tableExists(warehouse, statement.whenTableExists)))
        continue;
      await warehouse.command(statement.sql);
    }
    await warehouse.insert('schema_migrations', [
      { version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: Date.now() },
    ]);
    done.push(migration);
  }
  return done;
}
