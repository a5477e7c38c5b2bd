import { ConfigError, processEnvironment } from '@commune-pulse/runtime';
import { UsageError } from './args.ts';
import { alertsCommand } from './commands/alerts.ts';
import { catalogCommand } from './commands/catalog.ts';
import { countersCommand } from './commands/counters.ts';
import { demoCommand } from './commands/demo.ts';
import { estimateCommand } from './commands/estimate.ts';
import { explainCommand } from './commands/explain.ts';
import { ingestCommand } from './commands/ingest.ts';
import { migrateCommand } from './commands/migrate.ts';
import { portalCommand } from './commands/portal.ts';
import { queryCommand } from './commands/query.ts';
import { reportCommand } from './commands/report.ts';
import { simulateCommand } from './commands/simulate.ts';
import { staffingCommand } from './commands/staffing.ts';
import { tokensCommand } from './commands/tokens.ts';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; summary: string }> = {
  ingest: { run: ingestCommand, summary: 'import an NDJSON file, or consume dossier-events.v1 from Kafka' },
  portal: {
    run: portalCommand,
    summary: "the national portal's sync records: import an export, map units, serve the three calls, consume",
  },
  query: { run: queryCommand, summary: 'read-only SQL over the warehouse (json, csv or table)' },
  simulate: { run: simulateCommand, summary: 'simulated dossier events and staffing rosters, to a file or Kafka' },
  catalog: { run: catalogCommand, summary: 'import a procedure catalog CSV, or show the catalog in force' },
  staffing: {
    run: staffingCommand,
    summary: 'import a staffing roster CSV, show a commune, consume commune-staffing.v1',
  },
  estimate: {
    run: estimateCommand,
    summary: "compute and store every commune's pressure for a week or the last 7 days",
  },
  explain: { run: explainCommand, summary: "every input and step behind one commune's pressure for a week" },
  demo: { run: demoCommand, summary: 'simulate every commune, ingest, estimate and print where the pressure is' },
  counters: { run: countersCommand, summary: 'counters needed for an arrival rate and handling time (Erlang C)' },
  alerts: { run: alertsCommand, summary: 'alerts on communes: list, silence, acknowledge, evaluate, run the alerter' },
  report: { run: reportCommand, summary: 'the weekly pressure report of a week: HTML, PDF and CSV files' },
  tokens: { run: tokensCommand, summary: 'API tokens: create (shown once), list, revoke' },
  migrate: { run: migrateCommand, summary: 'apply the warehouse migrations (on a server: as the administrator)' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return `usage: pnpm cli <command> [options]   (pnpm cli <command> --help for its options)\n\ncommands:\n${lines.join('\n')}

environment: COMMUNE_PULSE_DATA_DIR (embedded warehouse folder, default ./data), CLICKHOUSE_URL,
             KAFKA_BROKERS, REDIS_URL, LOG_LEVEL`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (processEnvironment().LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack);
    return 1;
  }
}

// Exit only once everything is closed: the embedded engine must not be torn down under a running query.
process.exitCode = await main(process.argv.slice(2));
