import { basename } from 'node:path';
import { TOPICS } from '@commune-pulse/contracts';
import {
  createPortalAdapter,
  DEFAULT_PORTAL_GROUP,
  type DeadLetterSink,
  drainJournal,
  type IngestContext,
  importPortalFile,
  journalDir,
  loadPortalConfig,
  openIngestContext,
  type PortalConfig,
  type PortalOutcome,
  runPortalKafkaIngest,
  runPortalReceiver,
} from '@commune-pulse/ingest';
import {
  createUnitDirectory,
  parseUnitMappingCsv,
  type UnitDirectory,
  type UnitMappingParse,
} from '@commune-pulse/portal';
import { communeByCode } from '@commune-pulse/reference-data';
import { createLogger } from '@commune-pulse/runtime';
import { loadUnitMapping, openWarehouse, saveUnitMapping, type Warehouse } from '@commune-pulse/warehouse';
import { environmentFrom, parseCommand, positiveNumber, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';
import { readReferenceCsv, rejectFile } from './catalog.ts';
import { fileToImport, importThenDerive, printWeeklyFigures } from './ingest.ts';

export const PORTAL_USAGE = `usage:
  pnpm cli portal import --file <export.json|export.ndjson> [--units <units.csv>] [--commune <code>] [--json]
      imports the national portal's sync records (HoSoDongBoDVC, QuaTrinhXuLyDongBoDVC: a JSON array, or NDJSON
      of records, of receiver envelopes or of portal dead letters) through the ingest pipeline; --units imports
      that unit mapping first; --commune puts every dossier of the file in one commune. Importing it again
      stores nothing new. PORTAL_OFFICER_KEY (16+ characters) turns NguoiXuLy into officer_ref; without it the
      names are dropped.
  pnpm cli portal units import <units.csv> [--json]
      stores the unit → commune mapping (columns unit_code, commune_code) of the provinces it names; a file with
      any bad line is rejected whole
  pnpm cli portal units show [--province <code>] [--json]
  pnpm cli portal serve [--units <units.csv>]
      the HTTP receiver of the portal's three calls (POST …/ThemMoi, …/CapNhat, …/DongBoTienTrinh) with a token
      per province (PORTAL_PROVINCES_FILE); on PORTAL_RECEIVER_HOST:PORTAL_RECEIVER_PORT (127.0.0.1:8089),
      bodies up to PORTAL_MAX_BODY_BYTES. With KAFKA_BROKERS calls go to PORTAL_TOPIC (${TOPICS.portalDossiers}), else to a journal
      under the data folder that this process drains into the warehouse.
  pnpm cli portal drain [--json]
      drains what a stopped receiver left in the journal
  pnpm cli portal consume [--topic ${TOPICS.portalDossiers}] [--group ${DEFAULT_PORTAL_GROUP}] [--exit-when-idle <s>]
                          [--chunk-size <messages>] [--json]
      the Kafka consumer of the sync records (the ingest service runs it too)
Everywhere: --data-dir <dir>.`;

export async function portalCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      file: { type: 'string' },
      units: { type: 'string' },
      commune: { type: 'string' },
      province: { type: 'string' },
      json: { type: 'boolean' },
      topic: { type: 'string' },
      group: { type: 'string' },
      'exit-when-idle': { type: 'string' },
      'chunk-size': { type: 'string' },
    },
    PORTAL_USAGE,
    true,
  );
  if (values.help) {
    console.log(PORTAL_USAGE);
    return;
  }
  const [action, ...rest] = positionals;
  const env = environmentFrom(values);
  const config = loadPortalConfig(env);
  const json = values.json === true;
  const allowed: Record<string, string[]> = {
    import: ['file', 'units', 'commune'],
    units: ['province'],
    serve: ['units'],
    drain: [],
    consume: ['topic', 'group', 'exit-when-idle', 'chunk-size'],
  };
  if (action === undefined || !(action in allowed)) {
    throw new UsageError(action === undefined ? 'give an action' : `unknown action: ${action}`, PORTAL_USAGE);
  }
  const misplaced = ['file', 'units', 'commune', 'province', 'topic', 'group', 'exit-when-idle', 'chunk-size'].find(
    (flag) => values[flag as keyof typeof values] !== undefined && !allowed[action]?.includes(flag),
  );
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to portal ${action}`, PORTAL_USAGE);
  if (action !== 'units' && rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`, PORTAL_USAGE);

  if (action === 'import') await importCommand(config, values.file, values.units, values.commune, json);
  else if (action === 'units') await unitsCommand(config, rest, values.province, json);
  else if (action === 'serve') await serveCommand(config, env, values.units);
  else if (action === 'drain') await drainCommand(config, json);
  else {
    const total = await runPortalKafkaIngest(config, {
      logger: createLogger('ingest', config.logLevel),
      topic: values.topic ?? config.portalTopic,
      group: values.group,
      exitWhenIdleSeconds: positiveNumber(values['exit-when-idle'], '--exit-when-idle', PORTAL_USAGE),
      chunkSize: positiveNumber(values['chunk-size'], '--chunk-size', PORTAL_USAGE),
      officerKey: config.officerKey,
    });
    console.log(json ? JSON.stringify(summaryOf(total)) : formatTable([tableRow(total)]));
  }
}

/** A units.csv read and parsed, or the command stopped with every problem and its line. */
function readUnitsFile(path: string, json: boolean): Extract<UnitMappingParse, { ok: true }> {
  const read = readReferenceCsv(path, PORTAL_USAGE);
  if ('error' in read) rejectFile(path, [read.error], json, 'unit mapping');
  const parsed = parseUnitMappingCsv(read.text);
  if (!parsed.ok) rejectFile(path, parsed.errors, json, 'unit mapping');
  return parsed;
}

async function saveUnits(warehouse: Warehouse, path: string, json: boolean) {
  const parsed = readUnitsFile(path, json);
  const saved = await saveUnitMapping(warehouse, parsed, basename(path));
  const rows = saved.provinces.map((p) => ({
    province: p.provinceCode,
    units: p.rows,
    replaced: p.replacedVersion ?? '(none)',
  }));
  return { saved, rows };
}

async function unitsCommand(config: PortalConfig, rest: string[], province: string | undefined, json: boolean) {
  const [what, ...files] = rest;
  if (what === 'import') {
    if (files.length !== 1) throw new UsageError('give one file: portal units import <units.csv>', PORTAL_USAGE);
    if (province !== undefined) throw new UsageError('--province does not apply to portal units import', PORTAL_USAGE);
    const path = files[0] as string;
    readUnitsFile(path, json);
    const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
    try {
      const { saved, rows } = await saveUnits(warehouse, path, json);
      if (json) console.log(JSON.stringify({ ok: true, mapping_version: saved.mappingVersion, provinces: rows }));
      else {
        console.log(`imported ${path} into ${warehouse.location} (mapping ${saved.mappingVersion})`);
        console.log(formatTable(rows));
      }
    } finally {
      await warehouse.close();
    }
    return;
  }
  if (what !== 'show' || files.length > 0) {
    throw new UsageError('give an action: portal units import <units.csv> | portal units show', PORTAL_USAGE);
  }
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const rows = (await loadUnitMapping(warehouse))
      .filter((row) => province === undefined || row.provinceCode === province)
      .map((row) => ({
        province: row.provinceCode,
        unit_code: row.unitCode,
        commune: row.communeCode,
        name: communeByCode(row.communeCode)?.name ?? '',
      }));
    console.log(json ? JSON.stringify(rows) : formatTable(rows));
  } finally {
    await warehouse.close();
  }
}

function checkCommune(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (!/^[0-9]{5}$/.test(code) || communeByCode(code) === undefined) {
    throw new UsageError(
      `--commune takes the 5-digit code of a commune of the registry, got ${JSON.stringify(code)}`,
      PORTAL_USAGE,
    );
  }
  return code;
}

/** The portal dead letters: the portal's DLQ topic with a broker, else a file beside the warehouse. */
function portalDeadLetters(context: IngestContext): DeadLetterSink {
  return context.importDeadLetters(TOPICS.portalDossiersDlq);
}

async function importCommand(
  config: PortalConfig,
  pathArgument: string | undefined,
  unitsPath: string | undefined,
  communeArgument: string | undefined,
  json: boolean,
) {
  if (pathArgument === undefined) throw new UsageError('give the export: portal import --file <path>', PORTAL_USAGE);
  const path = fileToImport(pathArgument, 'records', PORTAL_USAGE);
  const commune = checkCommune(communeArgument);
  if (unitsPath !== undefined) readUnitsFile(unitsPath, json);
  const logger = createLogger('cli', config.logLevel);
  const context = await openIngestContext(config, logger);
  try {
    if (unitsPath !== undefined) await saveUnits(context.warehouse, unitsPath, json);
    const units = createUnitDirectory(await loadUnitMapping(context.warehouse));
    const deadLetters = portalDeadLetters(context);
    const adapter = createPortalAdapter({
      pipeline: context.createPipeline(deadLetters),
      warehouse: context.warehouse,
      units: () => units,
      communeOverride: commune,
      officerKey: config.officerKey,
    });
    const { result, derived, importSeconds, deriveSeconds, memory } = await importThenDerive(
      context,
      deadLetters,
      (onProgress) => importPortalFile(path, { adapter, onProgress }),
    );
    if (json) {
      console.log(
        JSON.stringify({
          ...summaryOf(result),
          import_seconds: Number(importSeconds.toFixed(3)),
          records_per_second: Math.round(result.records / importSeconds),
          lifecycle_seconds: Number(deriveSeconds.toFixed(3)),
          ...memory,
        }),
      );
      return;
    }
    console.log(
      `imported ${path} into ${context.warehouse.location}: ${importSeconds.toFixed(1)} s ` +
        `(${Math.round(result.records / importSeconds)} records/s), lifecycle tables ${deriveSeconds.toFixed(1)} s`,
    );
    printSummary(result, deadLetters.location);
    if (derived.horizonDay !== null) await printWeeklyFigures(context.warehouse, result.source.key);
  } finally {
    await context.close();
  }
}

function summaryOf(result: PortalOutcome) {
  return {
    records: result.records,
    events: result.derived,
    accepted: result.accepted,
    duplicates: result.duplicates,
    imported_before: result.redelivered,
    rejected: result.rejected,
    rejected_by_reason: result.rejectedByReason,
    collapsed_status: result.notes.collapsed_status,
    undated_due_change: result.notes.undated_due_change,
    unmapped_unit_records: result.unmapped,
  };
}

function tableRow(result: PortalOutcome) {
  return {
    records: result.records,
    events: result.derived,
    accepted: result.accepted,
    duplicates: result.duplicates,
    'imported before': result.redelivered,
    rejected: result.rejected,
  };
}

function printSummary(result: PortalOutcome, deadLetters: string) {
  console.log(formatTable([tableRow(result)]));
  console.log(
    '(events: derived from the records; duplicates: derived again from a record sent again, not stored twice; ' +
      'imported before: events and rejects of records this source gave before)',
  );
  const reasons = Object.entries(result.rejectedByReason).map(([reason, count]) => ({ reason, count }));
  if (reasons.length > 0) {
    console.log(`\nrejected by reason (details in rejected_events; the sanitized records in ${deadLetters})`);
    console.log(formatTable(reasons));
  }
  const lossy = Object.entries(result.notes)
    .filter(([, count]) => count > 0)
    .map(([case_, records]) => ({ lossy_case: case_, records }));
  if (lossy.length > 0) {
    console.log('\nmapped with a documented loss (per dossier: SELECT * FROM portal_mapping_notes)');
    console.log(formatTable(lossy));
  }
  if (result.unmapped > 0) {
    console.log(`\n${result.unmapped} records of unmapped units: SELECT * FROM portal_unmapped_units`);
  }
}

async function serveCommand(
  config: PortalConfig,
  env: Record<string, string | undefined>,
  unitsPath: string | undefined,
) {
  let units: UnitDirectory | undefined;
  if (unitsPath !== undefined) units = createUnitDirectory(readUnitsFile(unitsPath, false).rows);
  const logger = createLogger('portal', config.logLevel);
  const total = await runPortalReceiver(config, {
    logger,
    env,
    units,
    onListening: (port) => console.log(`portal receiver listening on ${config.receiverHost}:${port}`),
  });
  console.log(formatTable([{ records: total.records, accepted: total.accepted, rejected: total.rejected }]));
}

async function drainCommand(config: PortalConfig, json: boolean) {
  const logger = createLogger('cli', config.logLevel);
  const context = await openIngestContext(config, logger);
  try {
    const deadLetters = portalDeadLetters(context);
    const units = createUnitDirectory(await loadUnitMapping(context.warehouse));
    const adapter = createPortalAdapter({
      pipeline: context.createPipeline(deadLetters),
      warehouse: context.warehouse,
      units: () => units,
    });
    let result: PortalOutcome;
    try {
      result = await drainJournal(journalDir(config.dataDir), adapter);
    } finally {
      await deadLetters.close();
    }
    await context.derive();
    if (json) console.log(JSON.stringify(summaryOf(result)));
    else printSummary(result, deadLetters.location);
  } finally {
    await context.close();
  }
}
