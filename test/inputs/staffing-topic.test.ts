import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTopics } from '@commune-pulse/bus';
import { COMMUNE_STAFFING_DLQ_TOPIC } from '@commune-pulse/contracts';
import { runStaffingConsumer } from '@commune-pulse/ingest';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { loadStaffingAt, openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic, testBus, testKafka } from '../support/kafka.ts';
import { sleep, uniqueName } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';

const logger = createLogger('test', 'silent');
let brokers: string[];
let stopServices: () => Promise<void> = async () => {};
let root: string;

beforeAll(async () => {
  const services = await resolveTestServices();
  brokers = services.kafkaBrokers;
  stopServices = services.stop;
  root = mkdtempSync(join(tmpdir(), 'cp-staffing-topic-'));
});
afterAll(async () => {
  await stopServices();
  rmSync(root, { recursive: true, force: true });
});

/** Messages keyed by commune code, as the contract asks (one commune's rows stay in order on one partition). */
async function produce(topic: string, values: readonly string[]): Promise<void> {
  await ensureTopics(testBus(brokers), [{ topic, numPartitions: 4 }]);
  const kafka = testKafka(brokers);
  const producer = kafka.producer({
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    // a retried send (a slow broker, a new topic's metadata) writes nothing twice: the counts stay exact
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: values.map((value) => {
        let key: string | null = null;
        try {
          const code = (JSON.parse(value) as { commune_code?: unknown }).commune_code;
          if (typeof code === 'string') key = code;
        } catch {}
        return { key, value };
      }),
    });
  } finally {
    await producer.disconnect();
  }
}

function row(commune: string, validFrom: string, civilServants: number, counters = 2) {
  return JSON.stringify({
    commune_code: commune,
    valid_from: validFrom,
    civil_servants: civilServants,
    contract_staff: 1,
    support_fte: 0.5,
    counters,
  });
}

async function withWarehouse<T>(dataDir: string, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse({ dataDir });
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

describe('commune-staffing.v1 into the embedded warehouse', () => {
  it('stores each roster row once, supersedes by the later message, and sends bad messages to the DLQ', async () => {
    const topic = uniqueName('commune-staffing.v1.test');
    const group = uniqueName('staffing-group');
    const dataDir = join(root, 'warehouse');
    const config = loadConfig({
      KAFKA_BROKERS: brokers.join(','),
      COMMUNE_PULSE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    const bad = [
      '{"commune_code": "00070", "valid_from": "2025-07-01"',
      row('99999', '2025-07-01', 3),
      JSON.stringify({ ...JSON.parse(row('00070', '2025-07-01', 3)), contract_staff: -1, counters: 1.5 }),
      JSON.stringify({ commune_code: '00070', valid_from: '2025-07-01', civil_servants: 3 }),
    ];
    await produce(topic, [
      row('00004', '2025-07-01', 6),
      row('00004', '2026-01-01', 8, 4),
      row('00008', '2025-07-01', 3),
      row('32248', '2025-09-15', 2.5, 1),
      row('00025', '2025-07-01', 3),
      ...bad,
    ]);
    // A correction of 00025 produced later: same key, same partition, a later timestamp.
    await sleep(20);
    await produce(topic, [row('00025', '2025-07-01', 5, 3)]);

    const first = await runStaffingConsumer(config, { logger, topic, group, exitWhenIdleSeconds: 3 });
    expect(first).toEqual({
      messages: 10,
      stored: 6,
      rejected: 4,
      rejectedByReason: { not_json: 1, unknown_commune: 1, invalid_field: 1, missing_field: 1 },
    });

    const expectRows = async () =>
      withWarehouse(dataDir, async (warehouse) => {
        const stored = await warehouse.query<{ commune_code: string; valid_from: string; civil_servants: number }>(
          'SELECT commune_code, valid_from, civil_servants FROM commune_staffing ORDER BY commune_code, valid_from',
        );
        expect(stored).toEqual([
          { commune_code: '00004', valid_from: '2025-07-01', civil_servants: 6 },
          { commune_code: '00004', valid_from: '2026-01-01', civil_servants: 8 },
          { commune_code: '00008', valid_from: '2025-07-01', civil_servants: 3 },
          { commune_code: '00025', valid_from: '2025-07-01', civil_servants: 5 },
          { commune_code: '32248', valid_from: '2025-09-15', civil_servants: 2.5 },
        ]);
        const at = await loadStaffingAt(warehouse, '2025-10-01');
        expect(at.get('00025')).toMatchObject({ civilServants: 5, counters: 3 });
        expect(at.get('00004')).toMatchObject({ validFrom: '2025-07-01', contractStaff: 1, supportFte: 0.5 });
        expect(at.get('00004')?.source).toMatch(new RegExp(`^kafka:${topic.replaceAll('.', '\\.')}:\\d+:\\d+$`));
        const [raw] = await warehouse.query<{ n: number; most: number }>(
          'SELECT count() AS n, max(copies) AS most FROM (SELECT source, count() AS copies FROM commune_staffing_rows GROUP BY source)',
        );
        return { rows: Number(raw?.n), mostCopiesOfOneMessage: Number(raw?.most) };
      });
    // Six valid messages, two of them for 00025 on the same day: each stored once at most, one row in force.
    const afterFirst = await expectRows();
    expect(afterFirst.mostCopiesOfOneMessage).toBe(1);
    expect(afterFirst.rows).toBeLessThanOrEqual(6);

    const dlq = (await readTopic(brokers, COMMUNE_STAFFING_DLQ_TOPIC)).filter(
      (message) => message.headers.dlq_source_topic === topic,
    );
    expect(dlq.map((message) => message.value).sort()).toEqual([...bad].sort());
    for (const message of dlq) {
      expect(['not_json', 'unknown_commune', 'invalid_field', 'missing_field']).toContain(message.headers.dlq_reason);
      expect(message.headers.dlq_detail).toBeTruthy();
      expect(Number(message.headers.dlq_source_partition)).toBeGreaterThanOrEqual(0);
      expect(Number(message.headers.dlq_source_offset)).toBeGreaterThanOrEqual(0);
    }
    const invalid = dlq.find((message) => message.headers.dlq_reason === 'invalid_field');
    expect(invalid?.headers.dlq_detail).toMatch(/contract_staff.*counters/);

    // The same group again: everything was committed, nothing is read.
    const again = await runStaffingConsumer(config, { logger, topic, group, exitWhenIdleSeconds: 2 });
    expect(again.messages).toBe(0);

    // The same chunks delivered again (a new group, the same chunk size): the deduplication tokens drop them.
    await runStaffingConsumer(config, {
      logger,
      topic,
      group: uniqueName('staffing-same-cut'),
      exitWhenIdleSeconds: 3,
    });
    expect((await expectRows()).mostCopiesOfOneMessage).toBe(1);

    // The whole topic delivered again and cut into other chunks: identical rows, the same rows in force.
    const redelivered = await runStaffingConsumer(config, {
      logger,
      topic,
      group: uniqueName('staffing-replay'),
      chunkSize: 1,
      exitWhenIdleSeconds: 3,
    });
    expect(redelivered).toMatchObject({ messages: 10, stored: 6, rejected: 4 });
    await expectRows();
  });
});
