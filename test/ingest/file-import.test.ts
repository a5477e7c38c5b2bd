import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IngestContext, importNdjsonFile, openIngestContext } from '@commune-pulse/ingest';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_EVENTS, smallLines, smallTruth } from '../support/example.ts';
import { derivedTables, dumpAllTables, expectRawCountsOf, expectTruthReproduced } from '../support/warehouse-checks.ts';

const logger = createLogger('test', 'silent');
const truth = smallTruth();

async function withContext<T>(dataDir: string, run: (context: IngestContext) => Promise<T>): Promise<T> {
  const context = await openIngestContext(loadConfig({ COMMUNE_PULSE_DATA_DIR: dataDir }), logger);
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

async function importFile(context: IngestContext, path: string) {
  const result = await importNdjsonFile(path, { pipeline: context.createPipeline(context.localDeadLetters()) });
  await context.derive();
  return result;
}

function deadLetterLines(context: IngestContext): string[] {
  return readFileSync(context.localDeadLetters().path, 'utf8').trim().split('\n');
}

describe('file import into the embedded warehouse', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cp-file-import-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reproduces every figure of the small example, and a second import stores nothing new', async () => {
    await withContext(join(root, 'small'), async (context) => {
      const first = await importFile(context, SMALL_EVENTS);
      expect(first).toMatchObject({
        lines: truth.lines,
        accepted: truth.accepted_events,
        duplicates: truth.duplicate_lines,
        rejected: truth.invalid_lines,
      });
      await expectTruthReproduced(context.warehouse, truth);

      const before = await dumpAllTables(context.warehouse);
      const second = await importFile(context, SMALL_EVENTS);
      // The same bytes again: every line is found in the ledger and nothing is done.
      expect(second).toMatchObject({
        lines: truth.lines,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        redelivered: truth.lines,
      });
      await expectTruthReproduced(context.warehouse, truth);
      const after = await derivedTables(context.warehouse);
      await expectRawCountsOf(context.warehouse, truth);
      expect(deadLetterLines(context)).toHaveLength(truth.invalid_lines);
      expect(after.dossier_events).toHaveLength(truth.accepted_events);
      expect(before.size).toBeGreaterThan(0);
    });
  });

  it('never stores personal fields in any table', async () => {
    await withContext(join(root, 'small'), async (context) => {
      const tables = await dumpAllTables(context.warehouse);
      expect([...tables.keys()]).toEqual(
        expect.arrayContaining(['dossier_events_store', 'ingest_ledger', 'ingest_rejects', 'dossiers_rows']),
      );
      for (const [table, text] of tables) {
        for (const pii of truth.pii_strings) expect(text.includes(pii), `${pii} in ${table}`).toBe(false);
      }
    });
  });

  it('keeps the original line of each reject in the local dead-letter file with its reason', async () => {
    const deadLetters = readFileSync(join(root, 'small', 'dead-letters', 'dossier-events.v1.dlq.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { headers: Record<string, string>; value: string });
    const lines = smallLines();
    const firstImport = deadLetters.slice(0, truth.invalid_lines);
    for (const letter of firstImport) {
      const line = Number(letter.headers.dlq_source_line);
      expect(letter.value).toBe(lines[line - 1]);
      expect(letter.headers.dlq_reason).toMatch(/^[a-z_]+$/);
      expect(letter.headers.dlq_detail?.length).toBeGreaterThan(5);
    }
  });

  it('gives the same tables for redelivered, shuffled and late events as for a clean ordered stream', async () => {
    const valid = new Map<string, { line: string; occurredAt: number }>();
    for (const line of smallLines()) {
      try {
        const event = JSON.parse(line) as { event_id?: string; occurred_at?: string };
        const occurredAt = Date.parse(event.occurred_at ?? '');
        if (event.event_id && Number.isFinite(occurredAt)) valid.set(event.event_id, { line, occurredAt });
      } catch {
        // invalid lines are the other tests' business
      }
    }
    const ordered = [...valid.values()].sort((a, b) => a.occurredAt - b.occurredAt).map((v) => v.line);
    const cleanPath = join(root, 'clean.ndjson');
    writeFileSync(cleanPath, `${ordered.join('\n')}\n`);

    // A deterministic shuffle, every tenth event redelivered, and the last days' worth of a third of the
    // dossiers held back and delivered in a later file, after the tables were first derived.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const shuffled = [...ordered].sort(() => random() - 0.5);
    const late = shuffled.filter((_, i) => i % 3 === 0);
    const early = shuffled.filter((_, i) => i % 3 !== 0);
    const withRedeliveries = [...early, ...early.filter((_, i) => i % 10 === 0)];
    const earlyPath = join(root, 'early.ndjson');
    const latePath = join(root, 'late.ndjson');
    writeFileSync(earlyPath, `${withRedeliveries.join('\n')}\n`);
    writeFileSync(latePath, `${[...late, ...late.slice(0, 50)].join('\n')}\n`);

    const clean = await withContext(join(root, 'clean'), async (context) => {
      await importFile(context, cleanPath);
      return derivedTables(context.warehouse);
    });
    const messy = await withContext(join(root, 'messy'), async (context) => {
      await importFile(context, earlyPath);
      await importFile(context, latePath);
      return derivedTables(context.warehouse);
    });
    expect(clean.dossier_events?.length).toBe(truth.accepted_events);
    for (const table of Object.keys(clean)) expect(messy[table], table).toEqual(clean[table]);
  });
});
