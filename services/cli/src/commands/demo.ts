import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOB_QUEUES } from '@commune-pulse/contracts';
import {
  ESTIMATION_WORKER,
  type EstimationResult,
  enqueueEstimation,
  estimationQueue,
  loadEstimatorConfig,
  runEstimation,
} from '@commune-pulse/estimator';
import { importNdjsonFile, openIngestContext, runKafkaIngest } from '@commune-pulse/ingest';
import {
  communes,
  defaultCalendar,
  formatDay,
  type Period,
  parseDay,
  previousWeekPeriod,
  provinceByCode,
  provinces,
  vnDayNumber,
} from '@commune-pulse/reference-data';
import { createLogger, type Logger } from '@commune-pulse/runtime';
import { openJobLayer } from '@commune-pulse/runtime/jobs';
import { parseStaffingCsv, saveStaffingRows } from '@commune-pulse/warehouse';
import { aggregatePressureIndex, PRESSURE_LEVELS, staffedTotals } from '@commune-pulse/workload';
import { environmentFrom, parseCommand, positiveNumber, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';
import { progressBar } from '../progress.ts';
import { kafkaIngestProgress } from './ingest-kafka.ts';
import { runSimulation, type SimulationRun, seedFrom, simulationOptions } from './simulate.ts';

export const DEMO_USAGE = `usage: pnpm demo [--weeks 4] [--seed 1] [--data-dir ./data]
  simulates every commune for a few weeks ending yesterday, ingests the events, estimates the week that
  ended, and prints where the pressure is; the warehouse stays in the data folder for pnpm cli query.
  With KAFKA_BROKERS the events go through dossier-events.v1 and the ingest consumer group, with
  CLICKHOUSE_URL into that server, with REDIS_URL the estimation runs as a BullMQ job.`;

const LEVEL_NAMES: Record<string, string> = {
  low: 'low (thấp)',
  normal: 'normal (bình thường)',
  elevated: 'elevated (tăng)',
  high: 'high (cao)',
  critical: 'critical (nghiêm trọng)',
  no_staffing: 'no staffing data',
};

function step(text: string, startedMs: number) {
  console.log(`\n[${((performance.now() - startedMs) / 1000).toFixed(0).padStart(4)} s] ${text}`);
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { weeks: { type: 'string' }, seed: { type: 'string' } }, DEMO_USAGE);
  if (values.help) {
    console.log(DEMO_USAGE);
    return;
  }
  const weeks = positiveNumber(values.weeks, '--weeks', DEMO_USAGE) ?? 4;
  if (!Number.isInteger(weeks) || weeks > 52)
    throw new UsageError('--weeks takes a whole number from 1 to 52', DEMO_USAGE);
  const seed = values.seed ?? '1';
  const config = loadEstimatorConfig(environmentFrom(values));
  const distributed = [
    config.kafkaBrokers ? `Kafka ${config.kafkaBrokers.join(',')}` : null,
    config.clickhouseUrl ? 'the ClickHouse server of CLICKHOUSE_URL' : null,
    config.redisUrl ? 'BullMQ on REDIS_URL' : null,
  ].filter(Boolean);
  if (distributed.length > 0) console.log(`driving ${distributed.join(', ')}`);
  const started = performance.now();
  const inputs = join(config.dataDir, 'demo-inputs');
  mkdirSync(inputs, { recursive: true });
  // Whole ISO weeks: from the Monday `weeks` weeks before this week's, up to yesterday, so that the week
  // that ended (the one estimated) is complete and the rosters are valid from its start.
  const period = previousWeekPeriod(Date.now());
  const firstMonday = parseDay(period.startDay) - (weeks - 1) * 7;
  const days = vnDayNumber(Date.now()) - firstMonday;
  const startDay = formatDay(firstMonday);
  const eventsPath = join(inputs, `events-seed${seed}-${startDay}-${days}d.ndjson`);
  const staffingPath = join(inputs, `staffing-seed${seed}-${startDay}-${days}d.csv`);

  step(`simulating ${weeks} weeks of dossier events for all ${communes().length} communes (seed ${seed})`, started);
  // The simulate command's work, with a realistic share of delivery faults.
  const simulation = (destination: SimulationRun['destination']): SimulationRun => ({
    simulation: simulationOptions(
      {
        seed: seedFrom(seed),
        startDayNumber: firstMonday,
        days,
        faults: { redeliver: 0.005, late: 0.005, invalid: 0.0005, personal: 0.01 },
      },
      Date.now(),
    ),
    format: 'events',
    destination,
    staffingOut: staffingPath,
  });
  if (config.kafkaBrokers) {
    // Distributed: the events go to dossier-events.v1, where the ingest services (and this process, as one more
    // member of their consumer group) take them.
    await runSimulation(config, simulation({ kind: 'kafka' }));
  } else if (existsSync(eventsPath) && existsSync(staffingPath)) {
    console.log(`  reusing ${eventsPath}`);
  } else {
    await runSimulation(config, simulation({ kind: 'file', path: eventsPath }));
  }

  const logger = createLogger('demo', 'warn');
  if (config.kafkaBrokers) {
    step('consuming dossier-events.v1 (validate, store exactly once, derive the lifecycle tables)', started);
    const progress = kafkaIngestProgress();
    const consumed = await runKafkaIngest(config, {
      exitWhenIdleSeconds: 10,
      logger,
      onChunkStored: progress.onChunkStored,
      onDeriveProgress: progress.onDeriveProgress,
    });
    progress.stop();
    console.log(
      `  this process stored ${consumed.accepted.toLocaleString('en')} events from ${consumed.deliveries.toLocaleString('en')} messages ` +
        '(other members of the group store the rest)',
    );
  }
  const context = await openIngestContext(config, logger);
  let result: EstimationResult;
  try {
    step('importing the staffing rosters', started);
    const roster = parseStaffingCsv(readFileSync(staffingPath, 'utf8'));
    if (!roster.ok)
      throw new Error(`the simulated roster does not parse: ${JSON.stringify(roster.errors.slice(0, 3))}`);
    const saved = await saveStaffingRows(context.warehouse, roster.rows, staffingPath);
    console.log(`  ${saved.rows} roster rows for ${saved.communes} communes`);

    if (!config.kafkaBrokers) {
      step('ingesting the events (validate, store exactly once, derive the lifecycle tables)', started);
      const importBar = progressBar('ingest', 'bytes');
      const imported = await importNdjsonFile(eventsPath, {
        pipeline: context.createPipeline(context.localDeadLetters()),
        onProgress: (done, total) => importBar.update(done, total),
      });
      importBar.stop();
      const ingestSeconds = (performance.now() - started) / 1000;
      console.log(
        `  ${imported.lines.toLocaleString('en')} lines: ${imported.accepted.toLocaleString('en')} events stored, ` +
          `${imported.duplicates.toLocaleString('en')} duplicates, ${imported.rejected.toLocaleString('en')} rejected, ` +
          `${imported.redelivered.toLocaleString('en')} imported before (in the ledger: nothing stored or counted again)`,
      );
      const deriveBar = progressBar('derive', 'communes');
      await context.derive((done, total) => deriveBar.update(done, total));
      deriveBar.stop();
      console.log(`  lifecycle tables ready (${((performance.now() - started) / 1000 - ingestSeconds).toFixed(0)} s)`);
    }

    step(`estimating staffing need and pressure for ${period.label} (WISN, Erlang C, forecast, proposal)`, started);
    const estimate = () =>
      runEstimation({ warehouse: context.warehouse, calendar: defaultCalendar(), logger }, { period, trigger: 'demo' });
    result = config.redisUrl ? await estimateThroughQueue(config, period, estimate, logger) : await estimate();
  } finally {
    await context.close();
  }
  printPressure(result);
  step(
    `done; the warehouse is ${config.clickhouseUrl ? 'the server of CLICKHOUSE_URL' : `in ${config.dataDir}`}: try pnpm cli query "SELECT * FROM province_pressure"`,
    started,
  );
}

/**
 * The run goes through the estimation queue as an on-demand job, processed here by one more worker (an
 * estimator service on the same queue may take it instead; then its stored rows are what the next query reads).
 */
async function estimateThroughQueue(
  config: ReturnType<typeof loadEstimatorConfig>,
  period: Period,
  estimate: () => Promise<EstimationResult>,
  logger: Logger,
): Promise<EstimationResult> {
  const jobs = openJobLayer({ redisUrl: config.redisUrl as string, bullmqPrefix: config.bullmqPrefix }, logger);
  const queue = estimationQueue(jobs);
  let result: EstimationResult | undefined;
  jobs.work(
    JOB_QUEUES.estimation,
    async () => {
      result = await estimate();
      return {
        runId: result.runId,
        period: period.label,
        communes: result.indicators.length,
        durationMs: result.durationMs,
      };
    },
    ESTIMATION_WORKER,
  );
  try {
    const job = await enqueueEstimation(queue, { kind: 'week', week: period.label }, 'demo');
    await job.finished(30 * 60_000);
  } finally {
    await jobs.close();
  }
  if (!result)
    throw new Error('the estimation job ran in another worker: see pnpm cli query "SELECT * FROM province_pressure"');
  return result;
}

function printPressure(result: EstimationResult) {
  const staffed = staffedTotals(result.indicators);
  const proposed = result.indicators.reduce((sum, row) => sum + (row.proposed_staff ?? 0), 0);
  console.log(`\nNATIONAL SUMMARY, ${result.period.label} (${result.indicators.length} communes)`);
  console.log(
    formatTable(
      [...PRESSURE_LEVELS, 'no_staffing'].map((level) => ({
        level: LEVEL_NAMES[level] ?? level,
        communes: result.levels[level as keyof typeof result.levels],
      })),
    ),
  );
  const index = aggregatePressureIndex(staffed)?.toFixed(2) ?? '—';
  console.log(
    `required ${staffed.requiredFte.toFixed(0)} FTE against ${staffed.actualFte.toFixed(0)} FTE at work (index ${index}); ` +
      `staffing proposal (P80 of weekly need, rounded up per commune): ${proposed} staff`,
  );

  const communeNames = new Map(communes().map((c) => [c.code, c.name]));
  const top = result.indicators
    .filter((row) => row.pressure_index !== null)
    .sort((a, b) => (b.pressure_index as number) - (a.pressure_index as number))
    .slice(0, 15);
  console.log('\nTHE MOST PRESSURED COMMUNES');
  console.log(
    formatTable(
      top.map((row) => ({
        commune: `${row.commune_code} ${communeNames.get(row.commune_code) ?? ''}`,
        province: provinceByCode(row.province_code)?.name ?? row.province_code,
        pressure: Number((row.pressure_index as number).toFixed(2)),
        level: row.level,
        required_fte: Number(row.required_fte.toFixed(2)),
        actual_fte: Number((row.actual_fte ?? 0).toFixed(2)),
        received: row.received,
        on_time: row.on_time_rate === null ? null : Number(row.on_time_rate.toFixed(2)),
      })),
    ),
  );

  console.log('\nCOMMUNES BY LEVEL, PER PROVINCE');
  const names = new Map(provinces().map((p) => [p.code, p.name]));
  console.log(
    formatTable(
      result.provinces.map((p) => ({
        province: `${p.province_code} ${names.get(p.province_code) ?? ''}`,
        communes: p.communes,
        low: p.communes_low,
        normal: p.communes_normal,
        elevated: p.communes_elevated,
        high: p.communes_high,
        critical: p.communes_critical,
        no_staffing: p.communes_without_staffing,
        pressure: p.pressure_index === null ? null : Number(p.pressure_index.toFixed(2)),
      })),
    ),
  );

  console.log("\nEVERY COMMUNE'S LEVEL (commune codes, per province)");
  const byProvince = new Map<string, Map<string, string[]>>();
  for (const row of result.indicators) {
    const levels = byProvince.get(row.province_code) ?? new Map<string, string[]>();
    const level = row.level ?? 'no_staffing';
    levels.set(level, [...(levels.get(level) ?? []), row.commune_code]);
    byProvince.set(row.province_code, levels);
  }
  for (const [province, levels] of [...byProvince].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${province} ${names.get(province) ?? ''}`);
    for (const level of [...PRESSURE_LEVELS, 'no_staffing']) {
      const codes = levels.get(level);
      if (codes) console.log(`  ${level.padEnd(11)} ${codes.sort().join(' ')}`);
    }
  }
}
