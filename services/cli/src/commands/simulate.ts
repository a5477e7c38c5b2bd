import { once } from 'node:events';
import { createWriteStream, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { createKafka, type KafkaClient, openTopicPublisher } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import {
  communeByCode,
  communes,
  formatDay,
  parseDay,
  vnDayNumber,
  vnDayNumberStartMs,
} from '@commune-pulse/reference-data';
import { createLogger, type Logger, onShutdownSignal, type RuntimeConfig } from '@commune-pulse/runtime';
import {
  DEFAULT_ONLINE_SHARE,
  type DeliveryFaults,
  formatStaffingCsv,
  formatUnitsCsv,
  hashSeed,
  mulberry32,
  type PortalSimulationSummary,
  type SimulationOptions,
  type SimulationSummary,
  simulateEvents,
  simulatePortalRecords,
  simulateStaffing,
} from '@commune-pulse/simulator';
import { configFrom, parseCommand, positiveNumber, UsageError } from '../args.ts';
import { progressBar } from '../progress.ts';

export const SIMULATE_USAGE = `usage:
  pnpm cli simulate --out <events.ndjson|-> [--staffing-out <staffing.csv>] [options]
  pnpm cli simulate --kafka [--topic dossier-events.v1] [--rate <events/s>] [--staffing-out <staffing.csv>] [options]
  pnpm cli simulate --format portal --out <records.ndjson> [--units-out <units.csv>] [options]
      the same world as the national portal's sync records: each dossier record (HoSoDongBoDVC) sent again on
      each change, processing-history records, the provinces of vendor motcua collapsing 5, 6 and 8 into 9,
      made-up personal values in every personal field; one receiver envelope a line (--kafka: to
      portal-dossiers.v1). --units-out writes the units.csv mapping the simulated unit codes to communes.

Simulated dossier events of commune service centers (dossier-event/1), deterministic for a seed; events never
occur after the clock, and dossiers still open then stay open. KAFKA_BROKERS selects the broker for --kafka.

options:
  --seed <n>                        0 to 4294967295 (default 1); the same seed and options give the same output
  --communes all|<N>|<code,code,…>  all 3,321 (default), N picked at random by the seed, or the listed codes
  --start YYYY-MM-DD                first day (default: so that the span ends yesterday, Vietnam time)
  --days <n> | --weeks <n>          length of the span (default 4 weeks)
  --scale <x>                       multiplier of every commune's volume (default 1)
  --online-share <start>:<end>      online share of receipts on the first day and a year later (default ${DEFAULT_ONLINE_SHARE.start}:${DEFAULT_ONLINE_SHARE.end})
  --redeliver <f>                   fraction of events delivered a second time, later in the stream
  --disorder <f>                    fraction of events delivered out of order (within 500 lines)
  --late <f>                        fraction of events delivered 2 to 9 days late, or at the end
  --invalid <f>                     invalid lines (one kind of bad input each), as a fraction of events
  --personal <f>                    fraction of dossiers with personal fields (ChuHoSo, …) that ingest must drop
  --format events|portal            dossier-event/1 lines (default) or the portal's sync records (no faults)
  --json                            print the summary as one JSON object`;

const DEFAULT_DAYS = 28;
const KAFKA_BATCH = 2000;
const KAFKA_IN_FLIGHT = 4;

export async function simulateCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      out: { type: 'string' },
      'staffing-out': { type: 'string' },
      kafka: { type: 'boolean' },
      topic: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      communes: { type: 'string' },
      start: { type: 'string' },
      days: { type: 'string' },
      weeks: { type: 'string' },
      scale: { type: 'string' },
      'online-share': { type: 'string' },
      redeliver: { type: 'string' },
      disorder: { type: 'string' },
      late: { type: 'string' },
      invalid: { type: 'string' },
      personal: { type: 'string' },
      format: { type: 'string' },
      'units-out': { type: 'string' },
      json: { type: 'boolean' },
    },
    SIMULATE_USAGE,
  );
  if (values.help) {
    console.log(SIMULATE_USAGE);
    return;
  }
  const usage = (message: string) => new UsageError(message, SIMULATE_USAGE);
  if ((values.out === undefined) === (values.kafka !== true)) {
    throw usage('give exactly one destination: --out <events.ndjson> (or - for standard output) or --kafka');
  }
  if (values.kafka !== true && (values.topic !== undefined || values.rate !== undefined)) {
    throw usage('--topic and --rate apply to --kafka only');
  }
  const format = values.format ?? 'events';
  if (format !== 'events' && format !== 'portal')
    throw usage(`--format takes events or portal, got ${JSON.stringify(format)}`);
  const portal = format === 'portal';
  const faultFlags = ['redeliver', 'disorder', 'late', 'invalid', 'personal'] as const;
  const fault = faultFlags.find((flag) => values[flag] !== undefined);
  if (portal && fault !== undefined) throw usage(`--${fault} applies to --format events only`);
  if (!portal && values['units-out'] !== undefined) throw usage('--units-out applies to --format portal only');
  const seed = seedFrom(values.seed ?? '1');
  if (values.days !== undefined && values.weeks !== undefined) throw usage('give --days or --weeks, not both');
  const days =
    values.weeks !== undefined
      ? 7 * wholeNumber(values.weeks, '--weeks', 1, 520)
      : wholeNumber(values.days ?? String(DEFAULT_DAYS), '--days', 1, 3650);
  const nowMs = Date.now();
  const today = vnDayNumber(nowMs);
  let startDayNumber = today - days;
  if (values.start !== undefined) {
    try {
      startDayNumber = parseDay(values.start);
    } catch {
      throw usage(`--start takes a day as YYYY-MM-DD, got ${JSON.stringify(values.start)}`);
    }
    if (startDayNumber > today) throw usage(`--start ${values.start} is in the future: events never occur after now`);
  }
  const communeCodes = communeSelection(values.communes ?? 'all', seed);
  const scale = positiveNumber(values.scale, '--scale', SIMULATE_USAGE);
  const faults: DeliveryFaults = {
    redeliver: fraction(values.redeliver, '--redeliver'),
    disorder: fraction(values.disorder, '--disorder'),
    late: fraction(values.late, '--late'),
    invalid: fraction(values.invalid, '--invalid'),
    personal: fraction(values.personal, '--personal'),
  };
  const onlineShare = onlineShareCurve(values['online-share']);
  const rate = positiveNumber(values.rate, '--rate', SIMULATE_USAGE);
  const config = configFrom(values);
  if (values.kafka === true && config.kafkaBrokers === undefined) {
    throw usage('--kafka needs the broker list in KAFKA_BROKERS, e.g. KAFKA_BROKERS=127.0.0.1:9092');
  }
  await runSimulation(config, {
    simulation: simulationOptions(
      {
        seed,
        communeCodes,
        startDayNumber,
        days,
        scale,
        onlineShare,
        faults,
      },
      nowMs,
    ),
    format,
    destination:
      values.kafka === true
        ? { kind: 'kafka', topic: values.topic, rate }
        : { kind: 'file', path: values.out as string },
    staffingOut: values['staffing-out'],
    unitsOut: values['units-out'],
    json: values.json === true,
  });
}

/** What to simulate and where to write it: the simulate command's options, typed (the demo builds them too). */
export interface SimulationRun {
  simulation: SimulationOptions;
  format: 'events' | 'portal';
  /** a file (`-` for standard output), or a topic (dossier-events.v1 or portal-dossiers.v1 by default) */
  destination:
    | { kind: 'file'; path: string }
    | { kind: 'kafka'; topic?: string | undefined; rate?: number | undefined };
  staffingOut?: string | undefined;
  unitsOut?: string | undefined;
  json?: boolean;
}

/** The simulation options of a span of whole days from `startDayNumber`, ending no later than `nowMs`. */
export function simulationOptions(
  span: Omit<SimulationOptions, 'startDay' | 'endMs'> & { startDayNumber: number },
  nowMs: number,
): SimulationOptions {
  const { startDayNumber, ...rest } = span;
  return {
    ...rest,
    startDay: formatDay(startDayNumber),
    // The span may reach today or beyond: nothing after the clock, so nothing a pipeline would call future.
    endMs: Math.min(nowMs, vnDayNumberStartMs(startDayNumber + span.days)),
  };
}

/** Simulates, writes the outputs and prints the summary (JSON with `json`). */
export async function runSimulation(config: RuntimeConfig, run: SimulationRun): Promise<void> {
  const { simulation: options, destination } = run;
  const portal = run.format === 'portal';
  const logger = createLogger('simulate', config.logLevel);

  const written: string[] = [];
  const unitsPath = run.unitsOut;
  if (unitsPath !== undefined) {
    const codes = options.communeCodes ?? communes().map((commune) => commune.code);
    writeAtomically(unitsPath, formatUnitsCsv(codes));
    written.push(`${unitsPath} (${codes.length} unit codes)`);
  }
  const staffingPath = run.staffingOut;
  if (staffingPath !== undefined) {
    const rows = simulateStaffing(options);
    writeAtomically(staffingPath, formatStaffingCsv(rows));
    written.push(`${staffingPath} (${rows.length} staffing rows)`);
  }

  const bar = progressBar('simulate', 'days');
  const started = performance.now();
  const onProgress = (done: number, total: number) => bar.update(done, total);
  const stream: Generator<string, SimulationSummary> = portal
    ? simulatePortalRecords({ ...options, onProgress })
    : simulateEvents({ ...options, onProgress });
  let outcome: { summary: SimulationSummary | null; lines: number };
  let toStderr = false;
  try {
    if (destination.kind === 'kafka') {
      if (config.kafkaBrokers === undefined) throw new Error('simulating to Kafka needs KAFKA_BROKERS');
      const topic = destination.topic ?? (portal ? TOPICS.portalDossiers : TOPICS.dossierEvents);
      const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'commune-pulse-simulator', logger });
      outcome = await produceToKafka(
        stream,
        kafka,
        logger,
        topic,
        destination.rate,
        portal ? '"MaHoSo":"' : '"dossier_id":"',
      );
      written.push(`topic ${topic}`);
    } else {
      const out = destination.path;
      toStderr = out === '-';
      const { summary, bytes } = await writeLines(stream, out);
      outcome = { summary, lines: summary.lines };
      written.push(bytes === null ? 'standard output' : `${out} (${formatBytes(bytes)})`);
    }
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  if (outcome.summary === null) {
    console.log(`stopped after ${outcome.lines} lines in ${seconds.toFixed(1)} s; wrote ${written.join(' and ')}`);
    return;
  }
  report(outcome.summary, seconds, written, run.json === true, toStderr);
}

/** Writes the stream to a file (renamed into place once complete) or to standard output. */
async function writeLines(
  stream: Generator<string, SimulationSummary>,
  path: string,
): Promise<{ summary: SimulationSummary; bytes: number | null }> {
  const temporary = path === '-' ? null : `${path}.partial`;
  // Opened synchronously so that a path that cannot be written fails here, before any work, with its reason.
  const output: Writable =
    temporary === null
      ? process.stdout
      : createWriteStream(temporary, { fd: openSync(temporary, 'w'), highWaterMark: 1 << 20 });
  try {
    let chunk = '';
    let result = stream.next();
    while (result.done !== true) {
      chunk += `${result.value}\n`;
      // Big writes: one system call per megabyte instead of one per event.
      if (chunk.length >= 1 << 20) {
        if (!output.write(chunk)) await once(output, 'drain');
        chunk = '';
      }
      result = stream.next();
    }
    if (chunk.length > 0 && !output.write(chunk)) await once(output, 'drain');
    if (temporary !== null) {
      output.end();
      await once(output, 'finish');
      renameSync(temporary, path);
    }
    return { summary: result.value, bytes: temporary === null ? null : statSync(path).size };
  } catch (error) {
    if (temporary !== null) {
      output.destroy();
      rmSync(temporary, { force: true });
    }
    throw error;
  }
}

/** Produces the stream, keyed by dossier; a signal stops it cleanly (summary null: the simulation did not end). */
async function produceToKafka(
  stream: Generator<string, SimulationSummary>,
  kafka: KafkaClient,
  logger: Logger,
  topic: string,
  rate: number | undefined,
  keyField: string,
): Promise<{ summary: SimulationSummary | null; lines: number }> {
  // The partition count ingest creates the topic with, should the simulator be first; the Java client's
  // partitioner: a dossier's events land where any other producer's would.
  const publisher = await openTopicPublisher(kafka, { topic, partitions: 4 });
  let stopping = false;
  const removeSignalHandlers = onShutdownSignal(
    async () => {
      stopping = true;
    },
    { deadlineMs: 30_000, logger },
  );
  // At a low rate, small batches keep the stream smooth instead of bursting once a second.
  const batchSize = rate === undefined ? KAFKA_BATCH : Math.max(1, Math.min(KAFKA_BATCH, Math.floor(rate / 20)));
  // Unthrottled, a few batches in flight keep the broker busy while the next one is generated (measured: 56 k
  // events/s one at a time). A retried batch can then overtake another: disorder the pipeline must absorb anyway.
  const maxInFlight = rate === undefined ? KAFKA_IN_FLIGHT : 1;
  const inFlight: Promise<unknown>[] = [];
  const started = performance.now();
  let sent = 0;
  try {
    let batch: { key: string | null; value: string }[] = [];
    let result = stream.next();
    while (result.done !== true && !stopping) {
      batch.push({ key: dossierIdOf(result.value, keyField), value: result.value });
      if (batch.length >= batchSize) {
        inFlight.push(sending(publisher.send(batch)));
        sent += batch.length;
        batch = [];
        if (inFlight.length >= maxInFlight) await inFlight.shift();
        if (rate !== undefined) {
          const aheadMs = (sent / rate) * 1000 - (performance.now() - started);
          if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
        }
      }
      if (!stopping) result = stream.next();
    }
    if (batch.length > 0) inFlight.push(sending(publisher.send(batch)));
    sent += batch.length;
    await Promise.all(inFlight);
    return { summary: result.done === true ? result.value : null, lines: sent };
  } finally {
    removeSignalHandlers();
    await publisher.close();
  }
}

/** A send awaited later: marked handled now, so that its failure surfaces where it is awaited, not as a crash. */
function sending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** The message key: the dossier (dossier_id, or the portal's MaHoSo); null for an invalid line that has none. */
function dossierIdOf(line: string, field: string): string | null {
  const start = line.indexOf(field);
  if (start === -1) return null;
  const end = line.indexOf('"', start + field.length);
  return end === -1 ? null : line.slice(start + field.length, end);
}

function report(summary: SimulationSummary, seconds: number, written: string[], json: boolean, toStderr: boolean) {
  const print = toStderr ? console.error : console.log;
  if (json) {
    print(JSON.stringify({ ...summary, seconds: Number(seconds.toFixed(2)), written }));
    return;
  }
  const n = (value: number) => value.toLocaleString('en-US');
  const portal = 'records' in summary ? (summary as PortalSimulationSummary) : null;
  const faults = [
    summary.redelivered > 0 ? `${n(summary.redelivered)} redelivered` : '',
    summary.disordered > 0 ? `${n(summary.disordered)} out of order` : '',
    summary.late > 0 ? `${n(summary.late)} late` : '',
    summary.invalid > 0 ? `${n(summary.invalid)} invalid lines` : '',
    summary.personal > 0 ? `${n(summary.personal)} dossiers with personal fields` : '',
  ].filter(Boolean);
  print(
    `simulated ${n(summary.events)} events (${n(summary.dossiers)} dossiers, ${n(summary.communes)} communes, ` +
      `${summary.days} day${summary.days === 1 ? '' : 's'} ${summary.firstDay} to ${summary.lastDay}) in ${seconds.toFixed(1)} s ` +
      `(${n(Math.round(summary.events / Math.max(seconds, 1e-3)))} events/s); ${n(summary.lines)} lines` +
      `${faults.length > 0 ? ` with ${faults.join(', ')}` : ''}; wrote ${written.join(' and ')}`,
  );
  if (portal !== null) {
    print(
      `as ${n(portal.records)} portal records: ${n(portal.calls.ThemMoi)} ThemMoi, ${n(portal.calls.CapNhat)} CapNhat, ` +
        `${n(portal.calls.DongBoTienTrinh)} DongBoTienTrinh; ${n(portal.collapsedDossiers)} dossiers sent with 5, 6 or 8 collapsed into 9`,
    );
  }
}

function communeSelection(value: string, seed: number): string[] | undefined {
  if (value === 'all') return undefined;
  if (/^[0-9]{1,4}$/.test(value)) {
    const count = Number(value);
    const all = communes().map((c) => c.code);
    if (count < 1 || count > all.length) {
      throw new UsageError(`--communes takes a count from 1 to ${all.length}, got ${value}`, SIMULATE_USAGE);
    }
    // A seeded partial Fisher–Yates shuffle: a spread over the provinces, the same for the same seed.
    const random = mulberry32(hashSeed(seed, 0xc0de));
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (all.length - i));
      [all[i], all[j]] = [all[j] as string, all[i] as string];
    }
    return all.slice(0, count);
  }
  const codes = value
    .split(',')
    .map((code) => code.trim())
    .filter(Boolean);
  const malformed = codes.filter((code) => !/^[0-9]{5}$/.test(code));
  if (codes.length === 0 || malformed.length > 0) {
    throw new UsageError(
      `--communes takes all, a count, or 5-digit commune codes separated by commas; not ${JSON.stringify(malformed[0] ?? value)}`,
      SIMULATE_USAGE,
    );
  }
  const unknown = codes.filter((code) => communeByCode(code) === undefined);
  if (unknown.length > 0) {
    throw new UsageError(`--communes: not commune codes of the registry: ${unknown.join(', ')}`, SIMULATE_USAGE);
  }
  return codes;
}

function onlineShareCurve(value: string | undefined): SimulationOptions['onlineShare'] {
  if (value === undefined) return undefined;
  const match = /^([0-9.]+):([0-9.]+)$/.exec(value);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (match === null || !(start >= 0 && start <= 1 && end >= 0 && end <= 1)) {
    throw new UsageError(
      `--online-share takes two fractions as <start>:<end>, e.g. 0.35:0.6; got ${JSON.stringify(value)}`,
      SIMULATE_USAGE,
    );
  }
  return { start, end, days: 365 };
}

/** The value of --seed, a whole number from 0 to 4294967295. */
export function seedFrom(value: string): number {
  return wholeNumber(value, '--seed', 0, 0xffff_ffff);
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < min || number > max) {
    throw new UsageError(
      `${flag} takes a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      SIMULATE_USAGE,
    );
  }
  return number;
}

function fraction(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0 && number <= 1)) {
    throw new UsageError(
      `${flag} takes a fraction from 0 to 1, e.g. 0.02; got ${JSON.stringify(value)}`,
      SIMULATE_USAGE,
    );
  }
  return number;
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
