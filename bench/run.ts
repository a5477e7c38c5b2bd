/**
 * pnpm bench: the project's speed and memory against its targets, with ClickHouse's own Kafka engine as the
 * baseline in the same run. Prints a table per benchmark and writes bench/results/<name>.json.
 *
 *   pnpm bench [--only file,portal,durability,kafka,engine,claims,estimate,queries,reads,api] [--communes all|N]
 *              [--days 7] [--seed 3] [--read-rows 30000000] [--engine-events 200000] [--chunk-size 20000]
 *              [--claims 100000,1000000,10000000,30000000]
 *
 * Needs KAFKA_BROKERS (or the local broker of pnpm services:up) for the Kafka benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka, openTopicPublisher } from '@commune-pulse/bus';
import { communes, previousWeekPeriod } from '@commune-pulse/reference-data';
import { createLogger } from '@commune-pulse/runtime';
import { formatUnitsCsv, simulateEvents, simulatePortalRecords } from '@commune-pulse/simulator';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { benchClaimsGrowth } from './claims-growth.ts';
import { benchEngineTime } from './engine-time.ts';
import { benchReads } from './reads.ts';

const ROOT = join(import.meta.dirname, '..');
const WORK = join(ROOT, '.cache', 'bench');
const RESULTS = join(ROOT, 'bench', 'results');
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];
const CLI = join(ROOT, 'services', 'cli', 'src', 'main.ts');

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    communes: { type: 'string', default: 'all' },
    days: { type: 'string', default: '7' },
    seed: { type: 'string', default: '3' },
    'read-rows': { type: 'string', default: '30000000' },
    'engine-events': { type: 'string', default: '200000' },
    'chunk-size': { type: 'string', default: '20000' },
    claims: { type: 'string', default: '100000,1000000,10000000,30000000' },
  },
});
const only = new Set(
  (values.only ?? 'file,portal,durability,kafka,engine,claims,estimate,queries,reads,api').split(','),
);
const needsEvents = ['file', 'durability', 'kafka', 'engine', 'estimate'].some((name) => only.has(name));
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;

function section(title: string) {
  console.log(`\n== ${title}`);
}

function table(rows: Record<string, unknown>[]) {
  const names = Object.keys(rows[0] ?? {});
  const widths = names.map((name) => Math.max(name.length, ...rows.map((row) => String(row[name] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ');
  console.log(line(names));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(names.map((name) => String(row[name] ?? ''))));
}

function save(name: string, result: object) {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: name, machine, at: new Date().toISOString(), ...result }, null, 2)}\n`,
  );
  console.log(`(written ${file.replace(`${ROOT}/`, '')})`);
}

function run(
  command: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; child: ChildProcess }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, ...command], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, child }));
  });
}

function lastJson<T>(stdout: string): T {
  const line = stdout
    .trim()
    .split('\n')
    .findLast((text) => text.startsWith('{'));
  if (!line) throw new Error(`no JSON result in:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as T;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const cpuPerEvent = (seconds: number | null, events: number) =>
  seconds === null || events === 0 ? '' : ((seconds * 1e6) / events).toFixed(1);

/**
 * A national year of indicator and weekly rows, the size the data team's queries and the API meet in production.
 * The figures are synthetic (what matters here is the volume and the layout); each row a commune-week.
 */
async function fillNationalYear(warehouse: Warehouse) {
  const codes = communes().map((c) => c.code);
  const provinces = communes().map((c) => c.provinceCode);
  await warehouse.command(
    `INSERT INTO pressure_indicators_rows (period_kind, period_start, window_end, commune_code, province_code, received, workload_minutes, required_fte, actual_fte, pressure_index, level, forecast_method, params_version, run_id, computed_at)
     SELECT 'week', toMonday(today()) - 7 * (number % 52 + 1), now64(3), {codes:Array(String)}[intDiv(number, 52) + 1], {provinces:Array(String)}[intDiv(number, 52) + 1],
            100 + number % 300, (100 + number % 300) * 30, (100 + number % 300) / 70, 3, (100 + number % 300) / 210,
            multiIf((100 + number % 300) / 210 < 0.8, 'low', (100 + number % 300) / 210 < 1, 'normal', (100 + number % 300) / 210 < 1.2, 'elevated', (100 + number % 300) / 210 < 1.5, 'high', 'critical'),
            'holt-winters-additive', 'bench', 'bench', now64(3)
     FROM numbers(${codes.length * 52})`,
    { codes, provinces },
  );
  await warehouse.command(
    `INSERT INTO commune_weekly_rows (week_start, commune_code, province_code, received, resolved, resolved_on_time, open_end, derived_version)
     SELECT toMonday(today()) - 7 * (number % 52 + 1), {codes:Array(String)}[intDiv(number, 52) + 1], {provinces:Array(String)}[intDiv(number, 52) + 1],
            100 + number % 300, 90 + number % 280, 80 + number % 250, number % 60, 1
     FROM numbers(${codes.length * 52})`,
    { codes, provinces },
  );
  await warehouse.command(
    `INSERT INTO province_pressure_rows (period_kind, period_start, province_code, communes, communes_with_index, received, required_fte, actual_fte, pressure_index, communes_low, communes_normal, communes_elevated, communes_high, communes_critical, params_version, run_id, computed_at)
     SELECT 'week', period_start, province_code, count(), count(), sum(received), sum(required_fte), sum(actual_fte), sum(required_fte) / sum(actual_fte),
            countIf(level = 'low'), countIf(level = 'normal'), countIf(level = 'elevated'), countIf(level = 'high'), countIf(level = 'critical'), 'bench', 'bench', now64(3)
     FROM pressure_indicators_rows GROUP BY period_start, province_code`,
  );
  return { codes, provinces };
}

/** p50 and p95 of a measured operation, after warm-up runs. */
async function percentiles(runs: number, operation: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs + 10; i++) {
    const started = performance.now();
    await operation();
    if (i >= 10) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { runs: times.length, p50: p(0.5), p95: p(0.95) };
}

// The dataset: simulated events of a national week (or what --communes/--days say), made once per seed.
const communeCodes =
  values.communes === 'all'
    ? undefined
    : communes()
        .slice(0, Number(values.communes))
        .map((c) => c.code);
const days = Number(values.days);
const seed = Number(values.seed);
mkdirSync(WORK, { recursive: true });
const eventsPath = join(WORK, `events-${values.communes}-${days}d-seed${seed}.ndjson`);
const startDay = new Date(Date.now() - (days + 8) * 86_400_000).toISOString().slice(0, 10);
/** Writes a simulator's lines to a file; returns how many. */
async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let buffer: string[] = [];
  for (const line of lines) {
    buffer.push(line);
    count += 1;
    if (buffer.length >= 10_000) {
      if (!out.write(`${buffer.join('\n')}\n`))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = [];
    }
  }
  out.end(buffer.length > 0 ? `${buffer.join('\n')}\n` : '');
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return count;
}

const world = { seed, startDay, days, ...(communeCodes ? { communeCodes } : {}) };
let eventLines = 0;
if (needsEvents) {
  section(`dataset: simulated events, ${values.communes} communes, ${days} days from ${startDay}, seed ${seed}`);
  eventLines = await writeLines(eventsPath, simulateEvents(world));
  console.log(`${eventLines} events in ${eventsPath.replace(`${ROOT}/`, '')}`);
}

interface FileImportSummary {
  lines: number;
  accepted: number;
  import_seconds: number;
  lines_per_second: number;
  lifecycle_seconds: number;
  peak_rss_mb: number;
  peak_heap_mb: number;
}

/** pnpm cli ingest --file into a fresh warehouse; `prepare` may change it first (migrated, closed again). */
async function importFileInto(
  dir: string,
  prepare?: (warehouse: Awaited<ReturnType<typeof openWarehouse>>) => Promise<void>,
) {
  rmSync(dir, { recursive: true, force: true });
  if (prepare) {
    const warehouse = await openWarehouse({ dataDir: dir });
    await prepare(warehouse);
    await warehouse.close();
  }
  const result = await run([CLI, 'ingest', '--file', eventsPath, '--json', '--data-dir', dir]);
  return lastJson<FileImportSummary>(result.stdout);
}

function fileRow(summary: FileImportSummary) {
  return {
    events: summary.lines,
    seconds: summary.import_seconds,
    'events/s': summary.lines_per_second,
    'lifecycle tables s': summary.lifecycle_seconds,
    'peak RSS MB': summary.peak_rss_mb,
    'peak heap MB': summary.peak_heap_mb,
  };
}

const fileWarehouse = join(WORK, 'file-warehouse');
if (only.has('file') || only.has('estimate')) {
  section('ingest, file → embedded warehouse (pnpm cli ingest --file)');
  const row = fileRow(await importFileInto(fileWarehouse));
  table([row]);
  save('ingest-file', { command: `pnpm cli ingest --file ${eventsPath} --json`, result: row });
}

if (only.has('portal')) {
  section("ingest, the portal's sync records of the same world → embedded warehouse (pnpm cli portal import)");
  const portalPath = join(WORK, `portal-${values.communes}-${days}d-seed${seed}.ndjson`);
  const unitsPath = join(WORK, `units-${values.communes}.csv`);
  writeFileSync(unitsPath, formatUnitsCsv(communeCodes ?? communes().map((c) => c.code)));
  const records = await writeLines(portalPath, simulatePortalRecords(world));
  console.log(`${records} sync records in ${portalPath.replace(`${ROOT}/`, '')}`);
  const portalWarehouse = join(WORK, 'portal-warehouse');
  rmSync(portalWarehouse, { recursive: true, force: true });
  const command = [
    'portal',
    'import',
    '--file',
    portalPath,
    '--units',
    unitsPath,
    '--json',
    '--data-dir',
    portalWarehouse,
  ];
  const summary = lastJson<{
    records: number;
    accepted: number;
    import_seconds: number;
    records_per_second: number;
    lifecycle_seconds: number;
    peak_rss_mb: number;
    peak_heap_mb: number;
  }>((await run([CLI, ...command])).stdout);
  const row = {
    records: summary.records,
    'events stored': summary.accepted,
    seconds: summary.import_seconds,
    'records/s': summary.records_per_second,
    'events/s': Math.round(summary.accepted / summary.import_seconds),
    'lifecycle tables s': summary.lifecycle_seconds,
    'peak RSS MB': summary.peak_rss_mb,
    'peak heap MB': summary.peak_heap_mb,
  };
  table([row]);
  console.log('(baseline: the event import of the same world as dossier-event/1 lines, --only file)');
  save('ingest-portal', { command: `pnpm cli ${command.join(' ')}`, result: row });
}

if (only.has('durability')) {
  section('durability: the same file import with the write path fsynced (the default) and without');
  const synced = fileRow(await importFileInto(join(WORK, 'durability-fsync')));
  const unsynced = fileRow(
    await importFileInto(join(WORK, 'durability-no-fsync'), async (warehouse) => {
      for (const name of ['event_id_claims', 'dossier_events_store', 'ingest_rejects', 'ingest_ledger']) {
        await warehouse.command(`ALTER TABLE ${name} MODIFY SETTING fsync_after_insert = 0, fsync_part_directory = 0`);
      }
    }),
  );
  const rows = [
    { tables: 'fsync_after_insert = 1 (default)', ...synced },
    { tables: 'fsync_after_insert = 0', ...unsynced },
  ];
  table(rows);
  console.log(`fsync costs ${(100 * (1 - synced['events/s'] / unsynced['events/s'])).toFixed(1)} % of the import rate`);
  save('durability', { rows });
}

if (only.has('kafka')) {
  section("ingest, Kafka → warehouse: the project's consumer and ClickHouse's Kafka engine, same topic contents");
  const topic = `bench-${Date.now().toString(36)}`;
  const logger = createLogger('bench', 'warn');
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-bench', logger });
  const publisher = await openTopicPublisher(kafka, { topic, partitions: 4 });
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  let batch: { key: string | null; value: string }[] = [];
  for await (const line of createInterface({ input: createReadStream(eventsPath) })) {
    const key = /"dossier_id":"([^"]*)"/.exec(line)?.[1] ?? null;
    batch.push({ key, value: line });
    if (batch.length >= 5_000) {
      await publisher.send(batch);
      batch = [];
    }
  }
  await publisher.send(batch);
  await publisher.close();
  console.log(`produced ${eventLines} messages to ${topic}`);

  const oursDir = join(WORK, 'kafka-ours');
  rmSync(oursDir, { recursive: true, force: true });
  const ours = lastJson<{
    messages: number;
    messages_per_second: number;
    storing_seconds: number;
    end_to_end_seconds: number;
    end_to_end_messages_per_second: number;
    consuming_cpu_seconds: number | null;
    consuming_peak_rss_mb: number;
    consuming_peak_heap_mb: number;
    peak_rss_mb: number;
    peak_heap_mb: number;
  }>(
    (
      await run(
        [
          CLI,
          'ingest',
          '--kafka',
          '--topic',
          topic,
          '--group',
          `bench-ours-${topic}`,
          '--exit-when-idle',
          '5',
          '--json',
          '--data-dir',
          oursDir,
        ],
        { KAFKA_BROKERS: brokers.join(',') },
      )
    ).stdout,
  );
  const baselineDir = join(WORK, 'kafka-engine');
  rmSync(baselineDir, { recursive: true, force: true });
  const baseline = lastJson<{
    rows: number;
    first_block_rows: number;
    rows_per_second: number | null;
    seconds_first_to_last_row: number;
    end_to_end_seconds: number;
    end_to_end_rows_per_second: number;
    cpu_seconds: number | null;
  }>(
    (
      await run([
        join(ROOT, 'bench', 'kafka-engine-baseline.ts'),
        brokers.join(','),
        topic,
        String(eventLines),
        baselineDir,
      ])
    ).stdout,
  );
  // End to end (from connecting, the subscription and group join included, to the last row stored) is defined for any topic; the
  // steady rate only when the engine took more than one block.
  const ratio = ours.end_to_end_messages_per_second / baseline.end_to_end_rows_per_second;
  const steadyRatio = baseline.rows_per_second ? ours.messages_per_second / baseline.rows_per_second : null;
  const rows = [
    {
      path: 'commune-pulse consumer (validate, dedup, DLQ, ledger, exactly once)',
      events: ours.messages,
      's end to end': ours.end_to_end_seconds,
      'events/s end to end': ours.end_to_end_messages_per_second,
      'events/s steady': ours.messages_per_second,
      'CPU s': ours.consuming_cpu_seconds,
      'CPU µs/event': cpuPerEvent(ours.consuming_cpu_seconds, ours.messages),
      'peak RSS MB (consuming)': ours.consuming_peak_rss_mb,
      'peak heap MB (consuming)': ours.consuming_peak_heap_mb,
      'peak heap MB (with final refresh)': ours.peak_heap_mb,
    },
    {
      path: 'ClickHouse Kafka engine + materialized view (no validation)',
      events: baseline.rows,
      's end to end': baseline.end_to_end_seconds,
      'events/s end to end': baseline.end_to_end_rows_per_second,
      'events/s steady': baseline.rows_per_second ?? `n/a (all ${baseline.first_block_rows} rows in its first block)`,
      'CPU s': baseline.cpu_seconds,
      'CPU µs/event': cpuPerEvent(baseline.cpu_seconds, baseline.rows),
      'peak RSS MB (consuming)': '',
      'peak heap MB (consuming)': '',
      'peak heap MB (with final refresh)': '',
    },
  ];
  table(rows);
  console.log(
    "end to end: from connecting (subscription and group join included) to the last row stored; steady: the consumer's from its " +
      "first chunk, the engine's after its first block (the rows of that block excluded)",
  );
  const targets = [
    {
      target: '≥ 100,000 events/s',
      value: ours.messages_per_second,
      verdict: verdict(ours.messages_per_second >= 100_000),
    },
    {
      target: 'not slower than the Kafka engine',
      value: `${ratio.toFixed(2)}× end to end${steadyRatio === null ? '' : `, ${steadyRatio.toFixed(2)}× steady`}`,
      verdict: verdict(ratio >= 1 && (steadyRatio === null || steadyRatio >= 1)),
    },
    {
      target: 'consumer JS heap < 256 MB',
      value: `${ours.consuming_peak_heap_mb} MB`,
      verdict: verdict(ours.consuming_peak_heap_mb < 256),
    },
  ];
  table(targets);
  save('ingest-kafka', { topic, events: eventLines, ours, baseline, ratio, steadyRatio, targets });
}

if (only.has('engine')) {
  section("where a chunk's time goes: the write path's engine statements, one chunk at a time");
  const result = await benchEngineTime({
    dir: join(WORK, 'engine-time'),
    eventsPath,
    events: Number(values['engine-events']),
    chunkSize: Number(values['chunk-size']),
    log: (line) => (line.startsWith('[') ? process.stderr.write(`${line}\r`) : console.log(line)),
  });
  process.stderr.write('\n');
  table(result.rows);
  save('engine-time', result);
}

if (only.has('claims')) {
  section('the claim lookup as the claims grow: µs per id of a chunk of ids (half claimed), by layout of the table');
  const result = await benchClaimsGrowth({
    dir: join(WORK, 'claims-growth'),
    sizes: values.claims.split(',').map(Number),
    lookup: Number(values['chunk-size']),
    log: (line) => console.log(line),
  });
  table(result.rows);
  save('claims-growth', result);
}

if (only.has('estimate')) {
  section('estimation over all 3,321 communes (pnpm cli estimate --week … --in-process)');
  const week = previousWeekPeriod(Date.now()).label;
  const result = lastJson<{ communes: number; duration_ms: number; peak_rss_mb: number; peak_heap_mb: number }>(
    (await run([CLI, 'estimate', '--week', week, '--in-process', '--json', '--data-dir', fileWarehouse])).stdout,
  );
  const row = {
    week,
    communes: result.communes,
    seconds: result.duration_ms / 1000,
    'peak RSS MB': result.peak_rss_mb,
    'peak heap MB': result.peak_heap_mb,
    'target < 5 s': verdict(result.duration_ms < 5_000),
  };
  table([row]);
  save('estimation', { result: row });
}

if (only.has('queries')) {
  section("the data team's queries over one national year (52 weeks × 3,321 communes)");
  const dir = join(WORK, 'query-year');
  rmSync(dir, { recursive: true, force: true });
  const warehouse = await openWarehouse({ dataDir: dir });
  const { codes, provinces } = await fillNationalYear(warehouse);
  const weeks = (
    await warehouse.query<{ week: string }>(
      'SELECT DISTINCT toString(period_start) AS week FROM pressure_indicators_rows',
    )
  ).map((r) => r.week);
  const provinceCodes = [...new Set(provinces)];
  const queries = {
    "a commune's 52 weekly rows": () => ({
      sql: `SELECT w.week_start, w.received, w.resolved, w.open_end, p.pressure_index, p.level
            FROM commune_weekly AS w LEFT JOIN (SELECT period_start, pressure_index, level FROM pressure_indicators WHERE period_kind = 'week' AND commune_code = {c:String}) AS p
              ON p.period_start = w.week_start
            WHERE w.commune_code = {c:String} ORDER BY w.week_start`,
      params: { c: codes[Math.floor(Math.random() * codes.length)] },
    }),
    "a province's week": () => ({
      sql: `SELECT commune_code, received, required_fte, actual_fte, pressure_index, level FROM pressure_indicators
            WHERE period_kind = 'week' AND period_start = {w:Date} AND province_code = {p:String} ORDER BY pressure_index DESC`,
      params: {
        w: weeks[Math.floor(Math.random() * weeks.length)],
        p: provinceCodes[Math.floor(Math.random() * provinceCodes.length)],
      },
    }),
    'the national ranking of a week': () => ({
      sql: `SELECT commune_code, province_code, pressure_index, level FROM pressure_indicators
            WHERE period_kind = 'week' AND period_start = {w:Date} ORDER BY pressure_index DESC LIMIT 100`,
      params: { w: weeks[Math.floor(Math.random() * weeks.length)] },
    }),
  };
  const rows: Record<string, unknown>[] = [];
  for (const [name, make] of Object.entries(queries)) {
    const measured = await percentiles(50, () => {
      const { sql, params } = make();
      return warehouse.query(sql, params);
    });
    rows.push({
      query: name,
      runs: measured.runs,
      'p50 ms': measured.p50.toFixed(1),
      'p95 ms': measured.p95.toFixed(1),
      'target p95 < 100 ms': verdict(measured.p95 < 100),
    });
  }
  await warehouse.close();
  table(rows);
  save('queries', { rows_per_table: codes.length * 52, results: rows });
}
if (only.has('api')) {
  section('the API and its dashboard over one national year (52 weeks × 3,321 communes)');
  // The machine is shared: its load says how far these figures are from an idle machine's.
  console.log(
    `load average before: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(', ')}`,
  );
  const dir = join(WORK, 'api-year');
  rmSync(dir, { recursive: true, force: true });
  const warehouse = await openWarehouse({ dataDir: dir });
  const { codes, provinces } = await fillNationalYear(warehouse);
  const { createToken, startApi } = await import('@commune-pulse/api');
  const api = await startApi({
    warehouse,
    logger: createLogger('bench-api', 'warn'),
    queryLimits: { maxExecutionSeconds: 60, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 100_000 },
    reportsDir: join(dir, 'reports'),
    port: 0,
  });
  const ministry = (await createToken(warehouse, 'bench', 'ministry')).token;
  const provinceCodes = [...new Set(provinces)];
  const byProvince = new Map<string, string>();
  for (const code of provinceCodes)
    byProvince.set(code, (await createToken(warehouse, code, `province:${code}`)).token);
  const weeks = (await (
    await fetch(`${api.url}/api/v1/weeks`, { headers: { authorization: `Bearer ${ministry}` } })
  ).json()) as {
    items: { week: string; week_start: string }[];
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;
  const get = async (path: string, token: string) => {
    const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    return response.text();
  };
  // Each API call beside the one warehouse query at its heart, in the same run: the API's own cost is the difference.
  const calls = {
    'the national ranking of a week (50 communes)': {
      api: () => get(`/api/v1/communes?week=${pick(weeks.items).week}&page_size=50`, ministry),
      sql: () =>
        warehouse.query(
          `SELECT commune_code, pressure_index FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {w:Date}
           ORDER BY pressure_index DESC LIMIT 50`,
          { w: pick(weeks.items).week_start },
        ),
    },
    "a province's week (its token)": {
      api: () => {
        const province = pick(provinceCodes);
        return get(`/api/v1/communes?week=${pick(weeks.items).week}&page_size=500`, byProvince.get(province) as string);
      },
      sql: () =>
        warehouse.query(
          `SELECT commune_code, pressure_index FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {w:Date}
           AND province_code = {p:String} ORDER BY pressure_index DESC`,
          { w: pick(weeks.items).week_start, p: pick(provinceCodes) },
        ),
    },
    "a commune's 52 weeks": {
      // with the week, as the dashboard asks
      api: () => get(`/api/v1/communes/${pick(codes)}/history?week=${weeks.items[0]?.week}`, ministry),
      sql: () =>
        warehouse.query(
          `SELECT week_start, received, open_end FROM commune_weekly WHERE commune_code = {c:String} ORDER BY week_start`,
          { c: pick(codes) },
        ),
    },
  };
  const rows: Record<string, unknown>[] = [];
  for (const [name, call] of Object.entries(calls)) {
    const measured = await percentiles(100, call.api);
    const baseline = await percentiles(100, call.sql);
    rows.push({
      'API call': name,
      runs: measured.runs,
      'p50 ms': measured.p50.toFixed(1),
      'p95 ms': measured.p95.toFixed(1),
      'baseline: its SQL alone, p95 ms': baseline.p95.toFixed(1),
      'target p95 < 50 ms': verdict(measured.p95 < 50),
    });
  }
  table(rows);

  // First render of the dashboard's first page in Debian's headless Chromium, a fresh browser context each time
  // (nothing cached), from navigation to the charts drawn; beside it, the API's reference page (no data, no script).
  const { launchChromium } = await import('@commune-pulse/reporter');
  const browser = await launchChromium();
  const render = async (path: string, readySelector: string) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.addInitScript((token) => sessionStorage.setItem('cp-token', token), ministry);
      const started = performance.now();
      await page.goto(`${api.url}${path}`);
      // Looked for at every frame: waitForSelector looks again after 20, 50, 100, 100 and then every 500 ms, which
      // added up to half a second to what was measured.
      await page.waitForFunction(`document.querySelector(${JSON.stringify(readySelector)}) !== null`, undefined, {
        polling: 'raf',
        timeout: 30_000,
      });
      return performance.now() - started;
    } finally {
      await context.close();
    }
  };
  const firstRenders: number[] = [];
  const referencePage: number[] = [];
  for (let i = 0; i < 8; i++) {
    firstRenders.push(await render('/', 'body[data-ready="true"] [data-testid="chart-levels"] svg'));
    referencePage.push(await render('/docs', 'h1'));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const worst = (values: number[]) => Math.max(...values);
  const renderRows = [
    {
      page: 'dashboard, national page (cards, 2 charts, tables)',
      runs: firstRenders.length,
      'median ms': median(firstRenders).toFixed(0),
      'worst ms': worst(firstRenders).toFixed(0),
      'target < 1500 ms': verdict(worst(firstRenders) < 1_500),
    },
    {
      page: 'baseline: the reference page /docs',
      runs: referencePage.length,
      'median ms': median(referencePage).toFixed(0),
      'worst ms': worst(referencePage).toFixed(0),
      'target < 1500 ms': '',
    },
  ];
  table(renderRows);
  if (process.env.UPDATE_DOCS_PNG === '1') {
    // The README's pictures: the three pages over the national year.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript((token) => sessionStorage.setItem('cp-token', token), ministry);
    const top = await warehouse.query<{ commune_code: string; province_code: string }>(
      `SELECT commune_code, province_code FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {w:Date}
       ORDER BY pressure_index DESC, commune_code LIMIT 1`,
      { w: weeks.items[0]?.week_start },
    );
    for (const [path, name] of [
      ['/', 'national'],
      [`/#/province/${top[0]?.province_code}`, 'province'],
      [`/#/commune/${top[0]?.commune_code}`, 'commune'],
    ] as const) {
      await page.goto(`${api.url}${path}`);
      await page.waitForSelector('body[data-ready="true"] [data-testid="title"]');
      await page.screenshot({ path: join(ROOT, 'docs', `dashboard-${name}.png`) });
      console.log(`(written docs/dashboard-${name}.png)`);
    }
    await context.close();
  }
  await browser.close();
  await api.close();
  await warehouse.close();
  console.log(
    `load average after: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(', ')}`,
  );
  save('api', { rows_per_table: codes.length * 52, calls: rows, first_render: renderRows, load_average: loadavg() });
}

if (only.has('reads')) {
  const rows = Number(values['read-rows']);
  section(`reads over a synthetic national year: ${rows.toLocaleString('en')} dossier events, filled in SQL`);
  const result = await benchReads({ dir: join(WORK, 'read-year'), rows, log: (line) => console.log(line) });
  console.log(`dossier_events_store: ${result.parts} active parts`);
  console.log(`EXPLAIN indexes = 1 of the month's count:\n${result.explain.map((line) => `  ${line}`).join('\n')}`);
  const targets: Record<string, number> = {
    'a month of dossier_events by event type': 500,
    'data_quality for a week': 1000,
  };
  table(
    result.results.map((row) => ({
      query: row.query,
      design: row.design,
      'p50 ms': row.p50.toFixed(1),
      'p95 ms': row.p95.toFixed(1),
      target: row.design.startsWith('ledger')
        ? `< ${targets[row.query]} ms: ${verdict(row.p95 < (targets[row.query] ?? 0))}`
        : 'baseline',
    })),
  );
  save('reads', result);
}
console.log(`\nmachine: ${machine}`);
