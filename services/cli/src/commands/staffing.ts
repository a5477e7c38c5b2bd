import { basename } from 'node:path';
import { DEFAULT_STAFFING_GROUP, runStaffingConsumer } from '@commune-pulse/ingest';
import { communeByCode, parseDay, vnDay } from '@commune-pulse/reference-data';
import { createLogger, type RuntimeConfig } from '@commune-pulse/runtime';
import {
  loadStaffingAt,
  loadStaffingHistory,
  openWarehouse,
  parseStaffingCsv,
  saveStaffingRows,
} from '@commune-pulse/warehouse';
import { actualFte } from '@commune-pulse/workload';
import { configFrom, parseCommand, positiveNumber, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';
import { readReferenceCsv, rejectFile } from './catalog.ts';

export const STAFFING_USAGE = `usage:
  pnpm cli staffing import <staffing.csv> [--json] [--data-dir <dir>]
      stores roster rows; a row replaces a stored one for the same commune and valid_from.
      A file with any bad line is rejected whole.
  pnpm cli staffing show --commune <code> [--at YYYY-MM-DD] [--json] [--data-dir <dir>]
      the row in force on a day (default today, Vietnam time) and every row of the commune
  pnpm cli staffing consume [--topic commune-staffing.v1] [--group ${DEFAULT_STAFFING_GROUP}]
                            [--exit-when-idle <seconds>] [--chunk-size <messages>] [--json]
      stores the roster rows of the Kafka topic (KAFKA_BROKERS); invalid messages go to commune-staffing.v1.dlq`;

/** Total FTE of a row (`actualFte`), shown without the binary fractions' noise (0.1 + 0.2). */
function shownFte(row: { civilServants: number; contractStaff: number; supportFte: number }): number {
  return Math.round(actualFte(row) * 1e6) / 1e6;
}

export async function staffingCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      json: { type: 'boolean' },
      commune: { type: 'string' },
      at: { type: 'string' },
      topic: { type: 'string' },
      group: { type: 'string' },
      'exit-when-idle': { type: 'string' },
      'chunk-size': { type: 'string' },
    },
    STAFFING_USAGE,
    true,
  );
  if (values.help) {
    console.log(STAFFING_USAGE);
    return;
  }
  const [action, ...rest] = positionals;
  const json = values.json === true;
  const misplaced = (allowed: string[]) => {
    const given = ['commune', 'at', 'topic', 'group', 'exit-when-idle', 'chunk-size'].filter(
      (flag) => values[flag as keyof typeof values] !== undefined && !allowed.includes(flag),
    );
    if (given.length > 0) {
      throw new UsageError(`--${given[0]} does not apply to staffing ${action}`, STAFFING_USAGE);
    }
  };
  if (action === 'import') {
    misplaced([]);
    if (rest.length !== 1) throw new UsageError('give one file: staffing import <staffing.csv>', STAFFING_USAGE);
    await importStaffing(rest[0] as string, json, configFrom(values));
  } else if (action === 'show') {
    misplaced(['commune', 'at']);
    if (rest.length !== 0) throw new UsageError(`unexpected argument: ${rest[0]}`, STAFFING_USAGE);
    await showStaffing(values.commune, values.at, json, configFrom(values));
  } else if (action === 'consume') {
    misplaced(['topic', 'group', 'exit-when-idle', 'chunk-size']);
    if (rest.length !== 0) throw new UsageError(`unexpected argument: ${rest[0]}`, STAFFING_USAGE);
    const config = configFrom(values);
    const logger = createLogger('staffing', config.logLevel);
    const total = await runStaffingConsumer(config, {
      logger,
      topic: values.topic,
      group: values.group,
      exitWhenIdleSeconds: positiveNumber(values['exit-when-idle'], '--exit-when-idle', STAFFING_USAGE),
      chunkSize: positiveNumber(values['chunk-size'], '--chunk-size', STAFFING_USAGE),
    });
    const summary = {
      messages: total.messages,
      stored: total.stored,
      rejected: total.rejected,
      rejected_by_reason: total.rejectedByReason,
    };
    if (json) console.log(JSON.stringify(summary));
    else console.log(formatTable([{ messages: total.messages, stored: total.stored, rejected: total.rejected }]));
  } else {
    throw new UsageError(
      action === undefined ? 'give an action: import, show or consume' : `unknown action: ${action}`,
      STAFFING_USAGE,
    );
  }
}

async function importStaffing(path: string, json: boolean, config: RuntimeConfig): Promise<void> {
  const source = basename(path);
  const read = readReferenceCsv(path, STAFFING_USAGE);
  if ('error' in read) rejectFile(path, [read.error], json, 'roster');
  const parsed = parseStaffingCsv(read.text);
  if (!parsed.ok) rejectFile(path, parsed.errors, json, 'roster');
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const summary = await saveStaffingRows(warehouse, parsed.rows, source);
    if (json) {
      console.log(
        JSON.stringify({
          ok: true,
          source,
          rows: summary.rows,
          communes: summary.communes,
          first_valid_from: summary.firstValidFrom,
          last_valid_from: summary.lastValidFrom,
          replaced: summary.replaced,
        }),
      );
      return;
    }
    console.log(`imported ${path} into ${warehouse.location}`);
    console.log(
      formatTable([
        {
          rows: summary.rows,
          communes: summary.communes,
          first_valid_from: summary.firstValidFrom,
          last_valid_from: summary.lastValidFrom,
          replaced: summary.replaced,
        },
      ]),
    );
  } finally {
    await warehouse.close();
  }
}

async function showStaffing(
  communeCode: string | undefined,
  at: string | undefined,
  json: boolean,
  config: RuntimeConfig,
): Promise<void> {
  if (communeCode === undefined) throw new UsageError('give the commune: --commune <5-digit code>', STAFFING_USAGE);
  const commune = communeByCode(communeCode);
  if (commune === undefined) {
    throw new UsageError(`--commune ${communeCode} is not a commune-level unit of the registry`, STAFFING_USAGE);
  }
  const day = at ?? vnDay(Date.now());
  try {
    parseDay(day);
  } catch {
    throw new UsageError(`--at takes a day as YYYY-MM-DD, got ${JSON.stringify(at)}`, STAFFING_USAGE);
  }
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const inForce = (await loadStaffingAt(warehouse, day, [communeCode])).get(communeCode) ?? null;
    const history = await loadStaffingHistory(warehouse, communeCode);
    const rows = history.map((row) => ({
      valid_from: row.validFrom,
      civil_servants: row.civilServants,
      contract_staff: row.contractStaff,
      support_fte: row.supportFte,
      counters: row.counters,
      source: row.source,
      imported_at: new Date(row.importedAtMs).toISOString(),
    }));
    if (json) {
      console.log(
        JSON.stringify({
          commune_code: communeCode,
          name: commune.name,
          province_code: commune.provinceCode,
          day,
          in_force:
            inForce === null
              ? null
              : {
                  valid_from: inForce.validFrom,
                  civil_servants: inForce.civilServants,
                  contract_staff: inForce.contractStaff,
                  support_fte: inForce.supportFte,
                  counters: inForce.counters,
                  actual_fte: shownFte(inForce),
                  source: inForce.source,
                },
          rows,
        }),
      );
      return;
    }
    console.log(`${communeCode} ${commune.name} (province ${commune.provinceCode})`);
    if (rows.length === 0) {
      console.log('no staffing data: the commune gets no pressure index until a roster row is imported');
      return;
    }
    console.log(
      inForce === null
        ? `on ${day}: no row in force yet (the first applies from ${rows[0]?.valid_from})`
        : `on ${day}: the row from ${inForce.validFrom}, ${shownFte(inForce)} FTE, ${inForce.counters} counter(s)`,
    );
    console.log(`\n${formatTable(rows)}`);
  } finally {
    await warehouse.close();
  }
}
