import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIngestPipeline, type IngestContext, importNdjsonFile, openIngestContext } from '@commune-pulse/ingest';
import { defaultProcedureCatalog, provinceOfCommune } from '@commune-pulse/reference-data';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import type { Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_EVENTS, smallLines, smallTruth } from '../support/example.ts';
import { dumpAllTables, expectRawCountsOf, expectTruthReproduced, rawCounts } from '../support/warehouse-checks.ts';

// The write path's promises under the faults production brings (docs/design/exactly-once.md): every assertion
// is on the base tables' raw rows, the run summary and the DLQ file, not on views.

const logger = createLogger('test', 'silent');
const truth = smallTruth();
const catalog = defaultProcedureCatalog();
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cp-exactly-once-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function withContext<T>(dataDir: string, run: (context: IngestContext) => Promise<T>): Promise<T> {
  const context = await openIngestContext(loadConfig({ COMMUNE_PULSE_DATA_DIR: dataDir }), logger);
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

class Crash extends Error {
  override name = 'Crash';
}

/**
 * The warehouse of a process that dies: inserts go through until the chosen one, which throws (after landing,
 * when `after` is set: the acknowledgement is what is lost), and every later call throws too.
 */
function crashingWarehouse(warehouse: Warehouse, crashAt: { table: string; nth: number; after?: boolean }): Warehouse {
  let seen = 0;
  let dead = false;
  const check = () => {
    if (dead) throw new Crash('the process is gone');
  };
  return {
    ...warehouse,
    async insert(table, rows, options) {
      check();
      if (table === crashAt.table && rows.length > 0) {
        seen += 1;
        if (seen === crashAt.nth) {
          dead = true;
          if (crashAt.after) await warehouse.insert(table, rows, options);
          throw new Crash(`crashed at insert ${seen} into ${table}`);
        }
      }
      return warehouse.insert(table, rows, options);
    },
    async query(sql, params) {
      check();
      return warehouse.query(sql, params);
    },
    async command(sql, params) {
      check();
      return warehouse.command(sql, params);
    },
  };
}

function pipelineOn(context: IngestContext, warehouse: Warehouse) {
  return createIngestPipeline({
    warehouse,
    provinceOfCommune,
    isKnownProcedure: (code) => catalog.lookup(code).known,
    deadLetters: context.localDeadLetters(),
  });
}

function deadLetterFile(context: IngestContext): { line: number; reason: string }[] {
  const path = context.localDeadLetters().path;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as { headers: Record<string, string> })
    .map((letter) => ({ line: Number(letter.headers.dlq_source_line), reason: letter.headers.dlq_reason as string }));
}

async function expectExactlyOnce(context: IngestContext) {
  await expectRawCountsOf(context.warehouse, truth);
  const letters = deadLetterFile(context);
  expect(letters).toHaveLength(truth.invalid_lines);
  expect(new Set(letters.map((letter) => letter.line)).size).toBe(truth.invalid_lines);
  await context.derive();
  await expectTruthReproduced(context.warehouse, truth);
}

describe('a crash at any step of a chunk, then a restart with another batch size', () => {
  const crashPoints = [
    { table: 'event_id_claims', nth: 3 },
    { table: 'event_id_claims', nth: 3, after: true },
    { table: 'dossier_events_store', nth: 2, after: true },
    { table: 'ingest_rejects', nth: 2 },
    { table: 'ingest_rejects', nth: 2, after: true },
    { table: 'ingest_ledger', nth: 4 },
    { table: 'ingest_ledger', nth: 4, after: true },
    // the first mark is the DLQ file's baseline, written before any chunk
    { table: 'dead_letter_marks', nth: 2 },
    { table: 'dead_letter_marks', nth: 3, after: true },
  ];
  for (const [index, crashAt] of crashPoints.entries()) {
    it(`${crashAt.after ? 'after' : 'before'} insert ${crashAt.nth} into ${crashAt.table}`, async () => {
      await withContext(join(root, `crash-${index}`), async (context) => {
        const dying = pipelineOn(context, crashingWarehouse(context.warehouse, crashAt));
        await expect(importNdjsonFile(SMALL_EVENTS, { pipeline: dying, batchLines: 250 })).rejects.toThrow(Crash);
        // Two batches are in flight, so which of them reached the ledger before the crash varies: whatever did
        // is what the restart must count as redelivered, and nothing more.
        const { ledger_deliveries: ledgeredBeforeRestart } = await rawCounts(context.warehouse);
        // The restarted process reads the same file in other batches.
        const restarted = await importNdjsonFile(SMALL_EVENTS, {
          pipeline: pipelineOn(context, context.warehouse),
          batchLines: 97,
        });
        expect(restarted.lines).toBe(truth.lines);
        expect(restarted.redelivered).toBe(ledgeredBeforeRestart);
        await expectExactlyOnce(context);
      });
    });
  }

  it('a kill between a ledger insert and its view leaves data_quality to the next refresh, counted once', async () => {
    await withContext(join(root, 'quality-hole'), async (context) => {
      await importNdjsonFile(SMALL_EVENTS, {
        pipeline: context.createPipeline(context.localDeadLetters()),
        batchLines: 97,
      });
      // What SIGKILL leaves: ledger rows whose materialized view's row never landed (every other chunk's).
      const ledger = await context.warehouse.query<{ first_position: number }>(
        'SELECT first_position FROM ingest_ledger ORDER BY first_position',
      );
      const lost = ledger.filter((_, index) => index % 2 === 0).map((row) => row.first_position);
      await context.warehouse.command(
        'ALTER TABLE data_quality_chunks DELETE WHERE first_position IN {lost:Array(UInt64)} SETTINGS mutations_sync = 2',
        { lost },
      );
      const [holed] = await context.warehouse.query<{ accepted: number }>(
        'SELECT sum(events_accepted) AS accepted FROM data_quality',
      );
      expect(Number(holed?.accepted)).toBeLessThan(truth.accepted_events);

      expect((await context.derive()).dataQualityCompleted).toBe(lost.length);
      await expectTruthReproduced(context.warehouse, truth);
      // a second refresh finds nothing missing, and a row written by both the view and the completion counts once
      expect((await context.derive()).dataQualityCompleted).toBe(0);
      await context.warehouse.command(
        `INSERT INTO data_quality_chunks SELECT * FROM data_quality_chunks WHERE first_position IN {lost:Array(UInt64)}`,
        { lost },
      );
      await expectTruthReproduced(context.warehouse, truth);
    });
  });

  it('a lost acknowledgement retried within the run counts the range once, as this run', async () => {
    await withContext(join(root, 'lost-ack'), async (context) => {
      let failed = false;
      const flaky: Warehouse = {
        ...context.warehouse,
        async insert(table, rows, options) {
          await context.warehouse.insert(table, rows, options);
          if (table === 'ingest_ledger' && !failed) {
            failed = true;
            throw new Error('socket hang up');
          }
        },
      };
      const pipeline = pipelineOn(context, flaky);
      const lines = smallLines();
      const { sourceOf } = await import('@commune-pulse/contracts');
      const source = sourceOf({ kind: 'file', sha256: 'f'.repeat(64), label: 'lost-ack' });
      const messages = lines.map((line, i) => ({ position: i + 1, value: line }));
      await expect(pipeline.storeChunk({ source, partition: 0, messages })).rejects.toThrow('socket hang up');
      const retried = await pipeline.storeChunk({ source, partition: 0, messages });
      expect(retried).toMatchObject({
        deliveries: truth.lines,
        accepted: truth.accepted_events,
        duplicates: truth.duplicate_lines,
        rejected: truth.invalid_lines,
        redelivered: 0,
      });
      await expectExactlyOnce(context);
    });
  });
});

describe('uniqueness by event_id', () => {
  it('stores an event_id once wherever it comes from, and rejects its reuse with other content', async () => {
    const [first] = smallLines()
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return null;
        }
      })
      .filter((event) => event?.event_type === 'received');
    const sameAgain = { ...first, ChuHoSo: 'ignored personal field' };
    const otherDossier = { ...first, dossier_id: 'ANOTHER-DOSSIER-0001' };
    const path = join(root, 'same-id.ndjson');
    writeFileSync(path, [first, sameAgain, otherDossier].map((event) => JSON.stringify(event)).join('\n'));
    const otherFile = join(root, 'same-id-later.ndjson');
    writeFileSync(otherFile, `${JSON.stringify(otherDossier)}\n${JSON.stringify(first)}\n`);
    await withContext(join(root, 'same-id'), async (context) => {
      const pipeline = context.createPipeline(context.localDeadLetters());
      const one = await importNdjsonFile(path, { pipeline });
      expect(one).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1 });
      expect(one.rejectedByReason).toEqual({ conflicting_duplicate: 1 });
      const two = await importNdjsonFile(otherFile, { pipeline });
      expect(two).toMatchObject({ accepted: 0, duplicates: 1, rejected: 1 });
      const [stored] = await context.warehouse.query<{ n: number; dossiers: number }>(
        'SELECT count() AS n, uniqExact(dossier_id) AS dossiers FROM dossier_events_store',
      );
      expect(stored).toEqual({ n: 1, dossiers: 1 });
      expect(deadLetterFile(context).map((letter) => letter.reason)).toEqual([
        'conflicting_duplicate',
        'conflicting_duplicate',
      ]);
    });
  });
});

describe('poison never stops an import', () => {
  it('rejects nested, cut-emoji, far-past and non-UTF-8 lines one by one and stores the rest', async () => {
    const lines = smallLines();
    const valid = JSON.parse(lines.find((line) => line.includes('"received"')) as string) as Record<string, unknown>;
    const event = (id: string, extra: Record<string, unknown>) => JSON.stringify({ ...valid, event_id: id, ...extra });
    const bad = [
      `{"schema":"dossier-event/1","nested":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      event('poison-emoji-1', { dossier_id: 'HS-cut-\ud83d' }),
      event('poison-year-0001', { occurred_at: '0001-01-01T08:00:00+07:00', due_at: '0001-01-02T08:00:00+07:00' }),
      event('poison-year-1800', { occurred_at: '1800-06-01T08:00:00+07:00', due_at: '1800-06-02T08:00:00+07:00' }),
    ];
    const path = join(root, 'poison.ndjson');
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${[...bad, ...lines].join('\n')}\n`), invalidUtf8, Buffer.from('\n')]),
    );
    await withContext(join(root, 'poison'), async (context) => {
      const result = await importNdjsonFile(path, { pipeline: context.createPipeline(context.localDeadLetters()) });
      expect(result).toMatchObject({ lines: truth.lines + bad.length + 1, accepted: truth.accepted_events });
      expect(result.rejected).toBe(truth.invalid_lines + bad.length + 1);
      expect(result.rejectedByReason.not_utf8).toBe(1);
      expect(result.rejectedByReason.invalid_timestamp).toBeGreaterThanOrEqual(2);
      await context.derive();
      // The lifecycle step still runs and later imports still work.
      const again = await importNdjsonFile(SMALL_EVENTS, {
        pipeline: context.createPipeline(context.localDeadLetters()),
      });
      expect(again.duplicates).toBe(truth.accepted_events + truth.duplicate_lines);
      await context.derive();
      const [years] = await context.warehouse.query<{ earliest: string }>(
        'SELECT toString(min(day)) AS earliest FROM commune_daily_rows',
      );
      expect(Number(years?.earliest.slice(0, 4))).toBeGreaterThanOrEqual(2000);
    });
  });

  it('isolates the rows the warehouse refuses, dead-letters them as store_refused and stores the rest', async () => {
    await withContext(join(root, 'refused'), async (context) => {
      const refusing: Warehouse = {
        ...context.warehouse,
        async insert(table, rows, options) {
          // rows of one of the communes, whatever the format the rows travel in
          if (table === 'dossier_events_store' && new RegExp(`"${truth.communes[0]}"`).test(String(rows))) {
            throw Object.assign(new Error('Code: 27. DB::Exception: Cannot parse input'), { clickhouseCode: 27 });
          }
          return context.warehouse.insert(table, rows, options);
        },
      };
      const result = await importNdjsonFile(SMALL_EVENTS, { pipeline: pipelineOn(context, refusing) });
      const [refused] = await context.warehouse.query<{ n: number }>(
        "SELECT count() AS n FROM ingest_rejects WHERE reason = 'store_refused'",
      );
      expect(Number(refused?.n)).toBeGreaterThan(0);
      expect(result.rejectedByReason.store_refused).toBe(Number(refused?.n));
      expect(result.accepted + Number(refused?.n)).toBe(truth.accepted_events);
      const counts = await rawCounts(context.warehouse);
      // a refused event gives its claim back: a later delivery of it may be stored
      expect(counts.claims).toBe(counts.events);
      expect(counts.events).toBe(result.accepted);
      expect(deadLetterFile(context).filter((letter) => letter.reason === 'store_refused')).toHaveLength(
        Number(refused?.n),
      );
    });
  });
});

describe('personal data in malformed fields', () => {
  it('reaches no table and no dead-letter header', async () => {
    const valid = JSON.parse(smallLines().find((line) => line.includes('"received"')) as string) as Record<
      string,
      unknown
    >;
    const name = 'Nguyễn Thị Minh Khai';
    const citizenId = '001203004567';
    const phone = '0912345678';
    const malformed = [
      { ...valid, event_id: 'pii-000001', channel: name },
      { ...valid, event_id: 'pii-000002', commune_code: citizenId },
      { ...valid, event_id: 'pii-000003', dossier_id: `${name} ${citizenId} ${'x'.repeat(60)}` },
      { ...valid, event_id: 'pii-000004', officer_ref: { name, phone } },
      { ...valid, event_id: `${citizenId} ${name}` },
      { ...valid, event_id: 'pii-000005', status_code: phone },
      { ...valid, event_id: 'pii-000006', occurred_at: `${name} ${phone}` },
    ];
    const path = join(root, 'pii.ndjson');
    writeFileSync(
      path,
      `${malformed.map((event) => JSON.stringify(event)).join('\n')}\n{"ChuHoSo":"${name}", "SoGiayTo": "${citizenId}" oops\n`,
    );
    await withContext(join(root, 'pii'), async (context) => {
      const result = await importNdjsonFile(path, { pipeline: context.createPipeline(context.localDeadLetters()) });
      expect(result.rejected).toBe(malformed.length + 1);
      for (const [table, text] of await dumpAllTables(context.warehouse)) {
        for (const value of [name, citizenId, phone]) expect(text.includes(value), `${value} in ${table}`).toBe(false);
      }
      const headers = readFileSync(context.localDeadLetters().path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.stringify((JSON.parse(line) as { headers: unknown }).headers));
      for (const header of headers) {
        for (const value of [name, citizenId, phone]) expect(header.includes(value), header).toBe(false);
      }
    });
  });
});

describe('the file reader', () => {
  it('reads bytes: strict UTF-8, a leading BOM dropped, CRLF ends, a lone CR kept, a huge line rejected unread', async () => {
    const lines = smallLines();
    const bomFirst = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines[0] as string)]);
    const loneCr = (lines[1] as string).replace('{', '{\r');
    const huge = `{"schema":"dossier-event/1","padding":"${'x'.repeat(3 * 1024 * 1024)}"}`;
    const path = join(root, 'reader.ndjson');
    writeFileSync(
      path,
      Buffer.concat([
        bomFirst,
        Buffer.from('\r\n'),
        Buffer.from(`${loneCr}\r\n`),
        Buffer.from(`${huge}\n`),
        Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]),
        Buffer.from(`${lines.slice(2).join('\r\n')}\r\n`),
      ]),
    );
    await withContext(join(root, 'reader'), async (context) => {
      const result = await importNdjsonFile(path, {
        pipeline: context.createPipeline(context.localDeadLetters()),
        maxLineBytes: 1024 * 1024,
      });
      expect(result.lines).toBe(truth.lines + 2);
      expect(result.accepted).toBe(truth.accepted_events);
      expect(result.rejected).toBe(truth.invalid_lines + 2);
      expect(result.rejectedByReason.not_utf8).toBe(1);
      const [tooLarge] = await context.warehouse.query<{ detail: string; position: number }>(
        "SELECT detail, position FROM rejected_events WHERE reason = 'too_large' AND position = 3",
      );
      expect(tooLarge?.detail).toContain(`${Buffer.byteLength(huge)} bytes`);
    });
  });
});

describe('the lifecycle tables follow the ledger, not clocks', () => {
  it('derives a writer whose chunk lands after a run that saw a writer with a clock minutes ahead', async () => {
    const lines = smallLines();
    const firstPath = join(root, 'skew-a.ndjson');
    const secondPath = join(root, 'skew-b.ndjson');
    writeFileSync(firstPath, `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    writeFileSync(secondPath, `${lines.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    await withContext(join(root, 'skew'), async (context) => {
      const ahead = createIngestPipeline({
        warehouse: context.warehouse,
        provinceOfCommune,
        isKnownProcedure: (code) => catalog.lookup(code).known,
        deadLetters: context.localDeadLetters(),
        now: () => Date.now() + 10 * 60_000,
      });
      const behind = createIngestPipeline({
        warehouse: context.warehouse,
        provinceOfCommune,
        isKnownProcedure: (code) => catalog.lookup(code).known,
        deadLetters: context.localDeadLetters(),
        now: () => Date.now() - 10 * 60_000,
      });
      await importNdjsonFile(firstPath, { pipeline: ahead });
      await context.derive();
      await importNdjsonFile(secondPath, { pipeline: behind });
      await context.derive();
      await expectTruthReproduced(context.warehouse, truth);
      const [pending] = await context.warehouse.query<{ n: number }>(
        `SELECT count() AS n FROM ingest_ledger
         WHERE (source_key, partition, first_position) NOT IN (SELECT source_key, partition, first_position FROM derived_chunks)`,
      );
      expect(Number(pending?.n)).toBe(0);
    });
  });
});

describe('reads that scale and state that is bounded', () => {
  it('reads a month of dossier_events from that month alone, data_quality without the ledger, and keeps the ledger for the configured days', async () => {
    await withContext(join(root, 'reads'), async (context) => {
      await importNdjsonFile(SMALL_EVENTS, { pipeline: context.createPipeline(context.localDeadLetters()) });
      const plan = (
        await context.warehouse.query<{ explain: string }>(
          `EXPLAIN indexes = 1 SELECT event_type, count() FROM dossier_events
           WHERE occurred_at >= '2026-11-01 00:00:00' AND occurred_at < '2026-12-01 00:00:00' GROUP BY event_type`,
        )
      )
        .map((row) => row.explain)
        .join('\n');
      expect(plan).not.toMatch(/FINAL|Replacing/i);
      expect(plan).toContain('dossier_events_store');
      expect(plan).toMatch(/MinMax|Partition/);
      const quality = (await context.warehouse.query<{ explain: string }>('EXPLAIN SELECT * FROM data_quality'))
        .map((row) => row.explain)
        .join('\n');
      expect(quality).toContain('data_quality_chunks');
      expect(quality).not.toContain('ingest_ledger');
      // fsynced before an offset is committed
      for (const table of ['event_id_claims', 'dossier_events_store', 'ingest_rejects', 'ingest_ledger']) {
        const [row] = await context.warehouse.query<{ create_table_query: string }>(
          'SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
          { table },
        );
        expect(row?.create_table_query, table).toContain('fsync_after_insert = 1');
      }
    });
    const retained = await openIngestContext(
      loadConfig({ COMMUNE_PULSE_DATA_DIR: join(root, 'reads'), INGEST_LEDGER_RETENTION_DAYS: '7' }),
      logger,
    );
    try {
      const [row] = await retained.warehouse.query<{ create_table_query: string }>(
        "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'ingest_ledger'",
      );
      expect(row?.create_table_query).toMatch(/TTL toDateTime\(recorded_at\) \+ (INTERVAL 7 DAY|toIntervalDay\(7\))/);
    } finally {
      await retained.close();
    }
  });
});
