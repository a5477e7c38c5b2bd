/**
 * One quick measurement of insert throughput: 200k small JSONEachRow rows in batches of 20k, written by chdb in
 * this process, then through the gateway running as its own process (as the multi-process tests use it).
 *
 *   node services/warehouse-gateway/scripts/bench-insert.ts [--rows 200000] [--batch 20000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { Session } from 'chdb';

const { values } = parseArgs({ options: { rows: { type: 'string' }, batch: { type: 'string' } } });
const ROWS = Number(values.rows ?? 200_000);
const BATCH = Number(values.batch ?? 20_000);
const TABLE = `CREATE TABLE events (
  event_id String, dossier_id String, commune_code String, status LowCardinality(String),
  occurred_at DateTime64(3, 'UTC'), seq UInt32
) ENGINE = MergeTree ORDER BY (commune_code, occurred_at)`;

interface EventRow {
  event_id: string;
  dossier_id: string;
  commune_code: string;
  status: string;
  occurred_at: string;
  seq: number;
}

function batchRows(start: number, size: number): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = start; i < start + size; i++) {
    rows.push({
      event_id: `ev-${i}`,
      dossier_id: `D-${(i * 7919) % 50_000}`,
      commune_code: String(10_000 + (i % 700)).padStart(5, '0'),
      status: ['received', 'in_progress', 'done'][i % 3] as string,
      occurred_at: new Date(1_700_000_000_000 + i * 1000).toISOString().replace('T', ' ').replace('Z', ''),
      seq: i,
    });
  }
  return rows;
}

const batches = Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, b) =>
  batchRows(b * BATCH, Math.min(BATCH, ROWS - b * BATCH)),
);
const ndjson = batches.map((rows) => Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n')));
const bytes = ndjson.reduce((sum, buffer) => sum + buffer.length, 0);

function report(label: string, millis: number): void {
  const perSecond = Math.round(ROWS / (millis / 1000));
  console.log(
    `${label.padEnd(52)} ${millis.toFixed(0).padStart(6)} ms  ${perSecond.toLocaleString('en').padStart(9)} rows/s`,
  );
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function direct(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-direct-'));
  const session = new Session(dir);
  try {
    await session.queryAsync(TABLE);
    const millis = await timed(async () => {
      for (const buffer of ndjson) {
        await session.insert({ table: 'events', values: buffer, format: 'JSONEachRow', settings: { async_insert: 0 } });
      }
    });
    report('chdb in process (raw NDJSON insert)', millis);
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughGateway(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-gateway-'));
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [main, '--data-dir', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`gateway exited (${code}): ${out}`)));
    });
    const client = createClient({ url });
    const zipped = createClient({ url, compression: { request: true } });
    try {
      const runs: Array<[string, (table: string, index: number) => Promise<unknown>]> = [
        [
          'gateway, client.insert(values: objects)',
          (table, index) =>
            client.insert({
              table,
              values: batches[index] as EventRow[],
              format: 'JSONEachRow',
              clickhouse_settings: { async_insert: 0, insert_deduplication_token: `${table}-${index}` },
            }),
        ],
        [
          'gateway, client.command(INSERT … FORMAT + NDJSON)',
          (table, index) =>
            client.command({
              query: `INSERT INTO ${table} FORMAT JSONEachRow\n${(ndjson[index] as Buffer).toString()}`,
              clickhouse_settings: { async_insert: 0 },
            }),
        ],
        [
          'gateway, client.insert(values: objects), gzip request',
          (table, index) =>
            zipped.insert({
              table,
              values: batches[index] as EventRow[],
              format: 'JSONEachRow',
              clickhouse_settings: { async_insert: 0 },
            }),
        ],
      ];
      for (const [i, [label, insert]] of runs.entries()) {
        const table = `events_${i}`;
        await client.command({ query: TABLE.replace('TABLE events', `TABLE ${table}`) });
        const millis = await timed(async () => {
          for (let index = 0; index < batches.length; index++) await insert(table, index);
        });
        const counted = await (
          await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
        ).json<{ n: number }>();
        if (Number(counted[0]?.n) !== ROWS) throw new Error(`${label}: ${counted[0]?.n} rows stored, expected ${ROWS}`);
        report(label, millis);
      }
    } finally {
      await client.close();
      await zipped.close();
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${ROWS} rows in batches of ${BATCH} (${(bytes / ROWS).toFixed(0)} bytes of NDJSON a row)`);
await direct();
await throughGateway();
