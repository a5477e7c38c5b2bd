import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLines, scaledTruth, smallLines, smallTruth } from '../support/example.ts';
import { localKafkaClasspath, produceLines, produceWithJavaProducer } from '../support/kafka.ts';
import { freePort, runCli, sleep, startCli, stopStartedProcesses, uniqueName, waitFor } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import { expectTruthReproduced } from '../support/warehouse-checks.ts';

let brokers: string[];
let stopServices: () => Promise<void> = async () => {};
let root: string;

beforeAll(async () => {
  const services = await resolveTestServices();
  brokers = services.kafkaBrokers;
  stopServices = services.stop;
  root = mkdtempSync(join(tmpdir(), 'cp-kafka-ops-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  await stopServices();
  rmSync(root, { recursive: true, force: true });
});

function lastJson(output: string): { messages: number; accepted: number; duplicates: number; rejected: number } {
  const line = output
    .trim()
    .split('\n')
    .findLast((text) => text.startsWith('{"messages"'));
  if (!line) throw new Error(`no summary in the output:\n${output.slice(-2000)}`);
  return JSON.parse(line);
}

async function storedPositions(dataDir: string): Promise<number> {
  const warehouse = await openWarehouse({ dataDir });
  try {
    const [row] = await warehouse.query<{ n: number }>('SELECT sum(deliveries) AS n FROM ingest_ledger');
    return Number(row?.n ?? 0);
  } finally {
    await warehouse.close();
  }
}

describe('the Kafka consumer in operation', () => {
  it('serves metrics and health, and on SIGTERM finishes its chunk, commits and exits 0', async () => {
    const copies = 20;
    const truth = scaledTruth(copies);
    const topic = uniqueName('dossier-events.v1.term');
    const group = uniqueName('group');
    const dataDir = join(root, 'term');
    await produceLines(brokers, topic, scaledLines(copies));
    const port = await freePort();
    const args = ['ingest', '--kafka', '--topic', topic, '--group', group, '--data-dir', dataDir, '--json'];
    const env = { KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'info', METRICS_PORT: String(port) };
    const consumer = startCli([...args, '--chunk-size', '300'], env);
    await waitFor(() => consumer.output().includes('joined the consumer group'), 60_000, 'the consumer');
    await sleep(700);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of [
      'commune_pulse_ingest_consumed_total',
      'commune_pulse_ingest_stored_total',
      'commune_pulse_ingest_rejected_total',
      'commune_pulse_ingest_batch_seconds_bucket',
      'commune_pulse_ingest_lag_messages',
    ]) {
      expect(metrics).toContain(name);
    }

    const signalledAt = Date.now();
    consumer.child.kill('SIGTERM');
    expect(await consumer.exited, consumer.output()).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(25_000);
    const storedBeforeRestart = await storedPositions(dataDir);
    expect(storedBeforeRestart).toBeGreaterThan(0);
    expect(storedBeforeRestart).toBeLessThan(truth.lines);

    // Everything stored before the signal was committed: the restart reads exactly the rest.
    const rest = await runCli([...args, '--exit-when-idle', '3'], { KAFKA_BROKERS: brokers.join(',') });
    expect(rest.code, rest.output).toBe(0);
    expect(lastJson(rest.output).messages).toBe(truth.lines - storedBeforeRestart);
    const warehouse = await openWarehouse({ dataDir });
    try {
      await expectTruthReproduced(warehouse, truth);
    } finally {
      await warehouse.close();
    }
  });

  const classpath = localKafkaClasspath();
  // Java producers are only at hand where pnpm services:up resolved the Kafka jars (not on testcontainers).
  it.skipIf(classpath === null)(
    'decodes batches compressed by a Java producer with gzip, snappy (xerial framing), lz4 and zstd',
    async () => {
      const topic = uniqueName('dossier-events.v1.codecs');
      const lines = smallLines();
      const quarter = Math.ceil(lines.length / 4);
      const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
      for (const [index, codec] of codecs.entries()) {
        await produceWithJavaProducer(
          classpath as string,
          brokers,
          topic,
          lines.slice(index * quarter, (index + 1) * quarter),
          codec,
        );
      }
      const dataDir = join(root, 'codecs');
      const run = await runCli(
        [
          'ingest',
          '--kafka',
          '--topic',
          topic,
          '--group',
          uniqueName('group'),
          '--data-dir',
          dataDir,
          '--json',
          '--exit-when-idle',
          '3',
        ],
        { KAFKA_BROKERS: brokers.join(',') },
      );
      expect(run.code, run.output).toBe(0);
      const truth = smallTruth();
      expect(lastJson(run.output)).toMatchObject({ messages: truth.lines, rejected: truth.invalid_lines });
      const warehouse = await openWarehouse({ dataDir });
      try {
        await expectTruthReproduced(warehouse, truth);
      } finally {
        await warehouse.close();
      }
    },
  );
});
