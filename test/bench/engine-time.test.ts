import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchEngineTime, statementLabel } from '../../bench/engine-time.ts';
import { SMALL_EVENTS, smallTruth } from '../support/example.ts';

describe("the bench of a chunk's engine statements", () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-engine-time-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names a statement by what it does', () => {
    expect(statementLabel('insert', 'dossier_events_store')).toBe('insert dossier_events_store');
    expect(statementLabel('query', 'SELECT event_id FROM event_id_claims WHERE event_id IN {ids:Array(String)}')).toBe(
      'query event_id_claims',
    );
    expect(statementLabel('query', 'SELECT 1')).toBe('query (no table)');
    expect(statementLabel('command', 'DELETE FROM event_id_claims WHERE position IN (1)')).toBe(
      'command DELETE event_id_claims',
    );
  });

  it('stores the events through the real pipeline and accounts for every millisecond of the chunks', async () => {
    const truth = smallTruth();
    const chunkSize = 97;
    const result = await benchEngineTime({
      dir: join(root, 'run'),
      eventsPath: SMALL_EVENTS,
      events: 1_000_000,
      chunkSize,
      log: () => {},
    });
    expect(result.events).toBe(truth.lines);
    const chunks = Math.ceil(truth.lines / chunkSize);
    const byPart = new Map(result.rows.map((row) => [row.part, row]));
    // every chunk inserts its events, its claims and its ledger row, and reads what the ledger covers
    for (const part of ['insert dossier_events_store', 'insert event_id_claims', 'insert ingest_ledger']) {
      expect(byPart.get(part)?.calls, part).toBe(chunks);
    }
    expect(byPart.get('query ingest_ledger')?.calls).toBe(chunks);
    // the small example has rejects: they are recorded
    expect(byPart.get('insert ingest_rejects')?.calls).toBeGreaterThan(0);
    const engine = Number(byPart.get('engine statements, in all')?.ms);
    const javascript = Number(byPart.get('JavaScript between them (validation, plan, rows)')?.ms);
    expect(Math.abs(engine + javascript - result.totalMs)).toBeLessThanOrEqual(1);
    const parts = result.rows.filter((row) => /^(insert|query|command) /.test(row.part));
    expect(Math.abs(parts.reduce((sum, row) => sum + Number(row.ms), 0) - engine)).toBeLessThanOrEqual(parts.length);
    expect(result.lanes.oneAfterTheOther).toBeGreaterThan(0);
    expect(result.lanes.atOnce).toBeGreaterThan(0);
  });
});
