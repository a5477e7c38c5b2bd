import { createLogger } from '@commune-pulse/runtime';
import { createWarehouse, hasAccessManagement, migrate } from '@commune-pulse/warehouse';
import { configFrom, parseCommand } from '../args.ts';

export const MIGRATE_USAGE = `usage: pnpm cli migrate [--data-dir <dir>]
  applies the warehouse migrations not yet applied. On a ClickHouse server, run it as the administrator before the
  services start (docker compose's migrate step does): it also creates the services' roles, the data team's
  limits and the row policy of each province, which the services' own users have no right to create.`;

export async function migrateCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {}, MIGRATE_USAGE);
  if (values.help) {
    console.log(MIGRATE_USAGE);
    return;
  }
  const config = configFrom(values);
  createLogger('cli', config.logLevel);
  const warehouse = createWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(warehouse);
    for (const migration of applied) console.log(`applied ${migration.name}`);
    console.log(applied.length === 0 ? 'the warehouse is up to date' : `${applied.length} migration(s) applied`);
    if (!(await hasAccessManagement(warehouse))) {
      console.log('(embedded engine: no users or roles; the server-only access statements were skipped)');
    }
  } finally {
    await warehouse.close();
  }
}
