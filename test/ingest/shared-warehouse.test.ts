import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLines, scaledTruth } from '../support/example.ts';
import { KAFKA_RUN_TIMEOUT_MS, produceLines } from '../support/kafka.ts';
import {
  freePort,
  gatewayUrl,
  type RunningProcess,
  sleep,
  startCli,
  startGateway,
  stopStartedProcesses,
  uniqueName,
  waitFor,
} from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import { expectTruthReproduced } from '../support/warehouse-checks.ts';

// Several processes share one warehouse here, as ingest workers share a ClickHouse server: through the
// ClickHouse HTTP interface of the warehouse gateway (or CLICKHOUSE_URL when a real server is configured).
let brokers: string[];
let stopServices: () => Promise<void> = async () => {};
let root: string;
const gateways: RunningProcess[] = [];

beforeAll(async () => {
  const services = await resolveTestServices();
  brokers = services.kafkaBrokers;
  stopServices = services.stop;
  root = mkdtempSync(join(tmpdir(), 'cp-shared-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  for (const gateway of gateways) gateway.child.kill('SIGKILL');
  await stopServices();
  rmSync(root, { recursive: true, force: true });
});

async function gateway(dataDir: string, port: number) {
  const running = await startGateway(dataDir, port);
  gateways.push(running);
  return running;
}

async function withWarehouse<T>(url: string, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse({ clickhouseUrl: url, dataDir: root });
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

function consumer(topic: string, group: string, url: string, extra: string[]) {
  return startCli(
    ['ingest', '--kafka', '--topic', topic, '--group', group, '--json', '--chunk-size', '300', ...extra],
    {
      KAFKA_BROKERS: brokers.join(','),
      CLICKHOUSE_URL: url,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'info',
    },
  );
}

function summaryOf(output: string): { messages: number } {
  const line = output
    .trim()
    .split('\n')
    .findLast((text) => text.startsWith('{"messages"'));
  if (!line) throw new Error(`no summary in the output:\n${output.slice(-2000)}`);
  return JSON.parse(line);
}

describe('ingest workers sharing one warehouse', () => {
  it(
    'two consumers in one group share the partitions; when one is killed the other takes over',
    async () => {
      const copies = 20;
      const truth = scaledTruth(copies);
      const port = await freePort();
      const url = gatewayUrl(port);
      const server = await gateway(join(root, 'two'), port);
      const topic = uniqueName('dossier-events.v1.pair');
      const group = uniqueName('group');
      await produceLines(brokers, topic, scaledLines(copies), { partitions: 4 });

      const first = consumer(topic, group, url, ['--exit-when-idle', '20']);
      await waitFor(() => first.output().includes('joined the consumer group'), 60_000, 'the first consumer');
      const second = consumer(topic, group, url, ['--exit-when-idle', '20']);
      // The second member's join rebalances the group: both then hold partitions.
      await waitFor(() => second.output().includes('joined the consumer group'), 60_000, 'the second consumer');
      await sleep(800);
      second.child.kill('SIGKILL');
      expect(await second.exited).toBe('SIGKILL');
      expect(await first.exited, first.output()).toBe(0);
      const survivor = summaryOf(first.output());
      expect(survivor.messages).toBeGreaterThan(0);
      await withWarehouse(url, (warehouse) => expectTruthReproduced(warehouse, truth));
      server.child.kill('SIGTERM');
      await server.exited;
    },
    KAFKA_RUN_TIMEOUT_MS,
  );

  it(
    'loses nothing when the warehouse is down for a while',
    async () => {
      const copies = 10;
      const truth = scaledTruth(copies);
      const port = await freePort();
      const url = gatewayUrl(port);
      const dataDir = join(root, 'outage');
      let server = await gateway(dataDir, port);
      const topic = uniqueName('dossier-events.v1.outage');
      await produceLines(brokers, topic, scaledLines(copies));

      const worker = consumer(topic, uniqueName('group'), url, ['--exit-when-idle', '10']);
      await waitFor(() => worker.output().includes('joined the consumer group'), 60_000, 'the consumer');
      await sleep(500);
      server.child.kill('SIGKILL');
      await server.exited;
      await waitFor(() => worker.output().includes('storing a chunk failed'), 30_000, 'the consumer to notice');
      await sleep(4_000);
      server = await gateway(dataDir, port);
      expect(await worker.exited, worker.output()).toBe(0);
      await withWarehouse(url, (warehouse) => expectTruthReproduced(warehouse, truth));
      server.child.kill('SIGTERM');
      await server.exited;
    },
    KAFKA_RUN_TIMEOUT_MS,
  );
});
