import { existsSync, statSync } from 'node:fs';
import {
  type DeadLetterSink,
  type IngestContext,
  importNdjsonFile,
  openIngestContext,
  weeklyFiguresOfSource,
} from '@commune-pulse/ingest';
import { createLogger, startMemorySampler } from '@commune-pulse/runtime';
import { configFrom, parseCommand, positiveNumber, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';
import { progressBar } from '../progress.ts';
import { runKafkaIngestCommand } from './ingest-kafka.ts';

export const INGEST_USAGE = `usage:
  pnpm cli ingest --file <path.ndjson> [--json] [--data-dir <dir>]
  pnpm cli ingest --kafka [--topic dossier-events.v1] [--group commune-pulse-ingest] [--exit-when-idle <seconds>]
                  [--chunk-size <messages per insert, default 20000>] [--fetch-bytes <per partition and fetch>] [--json]`;

export async function ingestCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      file: { type: 'string' },
      kafka: { type: 'boolean' },
      json: { type: 'boolean' },
      topic: { type: 'string' },
      group: { type: 'string' },
      'exit-when-idle': { type: 'string' },
      'chunk-size': { type: 'string' },
      'fetch-bytes': { type: 'string' },
    },
    INGEST_USAGE,
  );
  if (values.help) {
    console.log(INGEST_USAGE);
    return;
  }
  if ((values.file === undefined) === (values.kafka !== true)) {
    throw new UsageError('give exactly one source: --file <path> or --kafka', INGEST_USAGE);
  }
  const config = configFrom(values);
  if (values.kafka) {
    await runKafkaIngestCommand(config, {
      topic: values.topic,
      group: values.group,
      exitWhenIdleSeconds: positiveNumber(values['exit-when-idle'], '--exit-when-idle', INGEST_USAGE),
      chunkSize: positiveNumber(values['chunk-size'], '--chunk-size', INGEST_USAGE),
      fetchBytes: positiveNumber(values['fetch-bytes'], '--fetch-bytes', INGEST_USAGE),
      json: values.json === true,
    });
    return;
  }
  const path = fileToImport(values.file as string, 'events', INGEST_USAGE);
  const logger = createLogger('cli', config.logLevel);
  const context = await openIngestContext(config, logger);
  try {
    const deadLetters = context.importDeadLetters();
    const pipeline = context.createPipeline(deadLetters);
    const { result, derived, importSeconds, deriveSeconds, memory } = await importThenDerive(
      context,
      deadLetters,
      (onProgress) => importNdjsonFile(path, { pipeline, onProgress }),
    );
    const summary = {
      lines: result.lines,
      accepted: result.accepted,
      duplicates: result.duplicates,
      redelivered: result.redelivered,
      rejected: result.rejected,
      rejected_by_reason: result.rejectedByReason,
      import_seconds: Number(importSeconds.toFixed(3)),
      lines_per_second: Math.round(result.lines / importSeconds),
      lifecycle_seconds: Number(deriveSeconds.toFixed(3)),
      ...memory,
    };
    if (values.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(
      `imported ${path} into ${context.warehouse.location}: ${importSeconds.toFixed(1)} s ` +
        `(${Math.round(result.lines / importSeconds)} lines/s), lifecycle tables ${deriveSeconds.toFixed(1)} s`,
    );
    console.log(
      formatTable([
        {
          lines: result.lines,
          accepted: result.accepted,
          duplicates: result.duplicates,
          'imported before': result.redelivered,
          rejected: result.rejected,
        },
      ]),
    );
    const reasons = Object.entries(result.rejectedByReason).map(([reason, count]) => ({ reason, count }));
    if (reasons.length > 0) {
      console.log(`\nrejected by reason (details in rejected_events; original lines in ${deadLetters.location})`);
      console.log(formatTable(reasons));
    }
    if (derived.horizonDay !== null) await printWeeklyFigures(context.warehouse, result.source.key);
  } finally {
    await context.close();
  }
}

/** The path of a file to import, or a usage error that says what is wrong with it. */
export function fileToImport(path: string, what: string, usage: string): string {
  if (path === '-' || path === '/dev/stdin') {
    // The embedded engine reads a piped stdin during inserts; a file path avoids that trap.
    throw new UsageError(`reading ${what} from standard input is not supported: save them to a file first`, usage);
  }
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file: ${path}`, usage);
  return path;
}

/**
 * Runs a file import with a progress bar and closes its dead letters, then brings the lifecycle tables up to date
 * with a bar of their own: the import's result, the lifecycle step's, both durations and the memory peaks.
 */
export async function importThenDerive<T>(
  context: IngestContext,
  deadLetters: DeadLetterSink,
  run: (onProgress: (done: number, total: number) => void) => Promise<T>,
) {
  const memory = startMemorySampler();
  const bar = progressBar('import', 'bytes');
  const started = performance.now();
  let result: T;
  try {
    result = await run((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
    await deadLetters.close();
  }
  const imported = performance.now();
  const deriveBar = progressBar('derive', 'communes');
  const derived = await context.derive((done, total) => deriveBar.update(done, total));
  deriveBar.stop();
  return {
    result,
    derived,
    importSeconds: (imported - started) / 1000,
    deriveSeconds: (performance.now() - imported) / 1000,
    memory: memory.stop(),
  };
}

/** The weekly figures of the communes and weeks this file's events fall in. */
export async function printWeeklyFigures(
  warehouse: Awaited<ReturnType<typeof openIngestContext>>['warehouse'],
  sourceKey: number,
): Promise<void> {
  const rows = await weeklyFiguresOfSource(warehouse, sourceKey);
  if (rows.length === 0) return;
  console.log('\nweekly figures (commune_weekly)');
  console.log(formatTable(rows));
}
