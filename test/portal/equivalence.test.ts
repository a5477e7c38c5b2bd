import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEstimation } from '@commune-pulse/estimator';
import { importNdjsonFile } from '@commune-pulse/ingest';
import { defaultCalendar, vnDayNumber, vnDayNumberStartMs, weekPeriod } from '@commune-pulse/reference-data';
import {
  formatStaffingCsv,
  formatUnitsCsv,
  simulatedUnitCode,
  simulateEvents,
  simulatePortalRecords,
  simulateStaffing,
} from '@commune-pulse/simulator';
import { parseStaffingCsv, saveStaffingRows, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpAllTables, rawCounts } from '../support/warehouse-checks.ts';
import {
  badPortalLines,
  expectedLosses,
  FIXTURE_VALUES,
  importPortal,
  logger,
  personalValuesOf,
  withContext,
} from './support.ts';

// One simulated world, told twice: as dossier-event/1 lines and as the portal's sync records.
const WORLD = {
  seed: 11,
  communeCodes: ['00004', '26278', '10966', '20107', '30886', '22402', '02683', '12817', '27925', '31309'],
  startDay: '2026-03-02',
  days: 14,
};
const WEEKS = ['2026-W10', '2026-W11'];
const OFFICER_KEY = 'province-key-for-officer-references';

type Row = Record<string, unknown>;

interface Tables {
  dossiers: Row[];
  commune_daily: Row[];
  commune_weekly: Row[];
  pressure_indicators: Row[];
}

async function tablesOf(warehouse: Warehouse): Promise<Tables> {
  return {
    dossiers: await warehouse.query('SELECT * FROM dossiers ORDER BY dossier_id'),
    commune_daily: await warehouse.query('SELECT * FROM commune_daily ORDER BY commune_code, day'),
    commune_weekly: await warehouse.query('SELECT * FROM commune_weekly ORDER BY commune_code, week_start'),
    pressure_indicators: await warehouse.query(
      `SELECT * EXCEPT (run_id, computed_at) FROM pressure_indicators
       ORDER BY period_kind, period_start, commune_code`,
    ),
  };
}

async function estimateAndRead(warehouse: Warehouse): Promise<Tables> {
  const roster = parseStaffingCsv(formatStaffingCsv(simulateStaffing(WORLD)));
  if (!roster.ok) throw new Error(JSON.stringify(roster.errors));
  await saveStaffingRows(warehouse, roster.rows, 'staffing.csv');
  for (const week of WEEKS) {
    await runEstimation(
      { warehouse, calendar: defaultCalendar(), logger },
      { period: weekPeriod(week), trigger: 'test', communeCodes: WORLD.communeCodes },
    );
  }
  return tablesOf(warehouse);
}

/**
 * Raw rows of every base table but the derived ones, those a units.csv import adds to and ingest_sources (a
 * ReplacingMergeTree each process registers its sources in once).
 */
const baseTableRows = async (warehouse: Warehouse) =>
  (
    await warehouse.query<{ name: string; n: number }>(
      `SELECT name, total_rows AS n FROM system.tables
       WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name`,
    )
  ).filter(
    (t) => !/^(commune_|dossiers_|procedure_weekly|schema_migrations|portal_unit_|ingest_sources$)/.test(t.name),
  );

describe('the same world as v1 events and as portal sync records', () => {
  let root: string;
  let eventLines: string[];
  let portalLines: string[];
  let portalPath: string;
  let unitsCsv: string;
  let viaEvents: Tables;
  let viaPortal: Tables;
  let firstImport: Awaited<ReturnType<typeof importPortal>>;
  const dlq = () => join(root, 'portal', 'dead-letters', 'portal-dossiers.v1.dlq.ndjson');
  const bad = badPortalLines(simulatedUnitCode('00004'));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cp-portal-world-'));
    eventLines = [...simulateEvents(WORLD)];
    portalLines = [...simulatePortalRecords(WORLD)];
    unitsCsv = formatUnitsCsv(WORLD.communeCodes);
    const eventsPath = join(root, 'events.ndjson');
    writeFileSync(eventsPath, `${eventLines.join('\n')}\n`);
    portalPath = join(root, 'portal.ndjson');
    // The export, with a few bad elements carrying a fixture's personal values among the good ones.
    const half = Math.floor(portalLines.length / 2);
    writeFileSync(
      portalPath,
      `${[...portalLines.slice(0, half), ...bad.lines, ...portalLines.slice(half)].join('\n')}\n`,
    );
    viaEvents = await withContext(join(root, 'events'), async (context) => {
      await importNdjsonFile(eventsPath, { pipeline: context.createPipeline(context.localDeadLetters()) });
      await context.derive();
      return estimateAndRead(context.warehouse);
    });
    viaPortal = await withContext(join(root, 'portal'), async (context) => {
      firstImport = await importPortal(context, portalPath, unitsCsv, dlq(), OFFICER_KEY);
      return estimateAndRead(context.warehouse);
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('derives every event but the documented losses, and rejects the bad elements for their reasons', () => {
    const losses = expectedLosses(eventLines);
    expect(losses.lost.size).toBeGreaterThan(0);
    const lostEvents = eventLines
      .filter((line) => /"event_type":"(fee_requested|suspended)"/.test(line))
      .filter((line) => {
        const event = JSON.parse(line) as { dossier_id: string };
        return losses.lost.has(event.dossier_id);
      }).length;
    expect(firstImport.records).toBe(portalLines.length + bad.lines.length);
    expect(firstImport.accepted).toBe(eventLines.length - lostEvents);
    expect(firstImport.rejectedByReason).toEqual(bad.reasons);
    expect(firstImport.unmapped).toBe(1);
  });

  it('gives the same dossiers, except exactly the dossiers of the documented lossy case', () => {
    const { lost } = expectedLosses(eventLines);
    expect(viaPortal.dossiers).toHaveLength(viaEvents.dossiers.length);
    const differing = new Set<string>();
    for (const [index, row] of viaEvents.dossiers.entries()) {
      const other = viaPortal.dossiers[index] as Row;
      expect(other.dossier_id).toBe(row.dossier_id);
      if (JSON.stringify(other) !== JSON.stringify(row)) differing.add(String(row.dossier_id));
    }
    expect([...differing].sort()).toEqual([...lost].sort());
  });

  it('gives the same daily and weekly rows, except the open dossiers a lost suspension leaves, counted exactly', () => {
    const { suspensions } = expectedLosses(eventLines);
    const stillOpen = (communeCode: string, endMs: number) =>
      suspensions.filter((s) => s.communeCode === communeCode && s.atMs < endMs).length;
    const compare = (table: 'commune_daily' | 'commune_weekly', endOf: (row: Row) => number) => {
      expect(viaPortal[table]).toHaveLength(viaEvents[table].length);
      let differing = 0;
      for (const [index, row] of viaEvents[table].entries()) {
        const other = viaPortal[table][index] as Row;
        const extra = stillOpen(String(row.commune_code), endOf(row));
        expect(Number(other.open_end) - Number(row.open_end), `${table} ${JSON.stringify(row)}`).toBe(extra);
        const { open_end: _a, overdue_open: _b, ...sameRest } = row;
        const { open_end: _c, overdue_open: _d, ...otherRest } = other;
        expect(otherRest).toEqual(sameRest);
        const overdueExtra = Number(other.overdue_open) - Number(row.overdue_open);
        expect(overdueExtra).toBeGreaterThanOrEqual(0);
        expect(overdueExtra).toBeLessThanOrEqual(extra);
        if (extra > 0) differing += 1;
      }
      return differing;
    };
    const dayEnd = (row: Row) => vnDayNumberStartMs(vnDayNumber(Date.parse(`${row.day}T12:00:00+07:00`)) + 1);
    const weekEnd = (row: Row) => vnDayNumberStartMs(vnDayNumber(Date.parse(`${row.week_start}T12:00:00+07:00`)) + 7);
    compare('commune_daily', dayEnd);
    compare('commune_weekly', weekEnd);
  });

  it('gives the same indicator rows for every commune no lost suspension touches', () => {
    const { suspensions } = expectedLosses(eventLines);
    const touched = new Set(suspensions.map((s) => s.communeCode));
    expect(viaPortal.pressure_indicators).toHaveLength(viaEvents.pressure_indicators.length);
    expect(viaEvents.pressure_indicators.length).toBe(WORLD.communeCodes.length * WEEKS.length);
    for (const [index, row] of viaEvents.pressure_indicators.entries()) {
      const other = viaPortal.pressure_indicators[index] as Row;
      if (touched.has(String(row.commune_code))) {
        // The workload is the dossiers received: a lost suspension moves the backlog only.
        expect({ received: other.received, required_fte: other.required_fte }).toEqual({
          received: row.received,
          required_fte: row.required_fte,
        });
      } else expect(other).toEqual(row);
    }
  });

  it('counts the lossy case and the unmapped unit in the data-quality views', async () => {
    const { collapsed } = expectedLosses(eventLines);
    await withContext(join(root, 'portal'), async (context) => {
      const [notes] = await context.warehouse.query<{ dossiers: number }>(
        "SELECT sum(dossiers) AS dossiers FROM portal_mapping_notes WHERE note = 'collapsed_status'",
      );
      expect(Number(notes?.dossiers)).toBe(collapsed.size);
      expect(
        await context.warehouse.query('SELECT province_code, unit_code, dossiers FROM portal_unmapped_units'),
      ).toEqual([{ province_code: '', unit_code: 'DV.CHUA.ANH.XA', dossiers: 1 }]);
      const [quality] = await context.warehouse.query<{ unmapped: number }>(
        "SELECT sum(rejected_by_reason['portal_unmapped_unit']) AS unmapped FROM data_quality",
      );
      expect(Number(quality?.unmapped)).toBe(1);
    });
  });

  it('stores nothing new when the export is imported again (raw rows of every base table)', async () => {
    await withContext(join(root, 'portal'), async (context) => {
      const before = await rawCounts(context.warehouse);
      // One row per event stored and per rejected position; every position the import gave counted once.
      expect(before).toEqual({
        events: firstImport.accepted,
        claims: firstImport.accepted,
        rejects: firstImport.rejected,
        ledger_deliveries: firstImport.deliveries,
      });
      // A record sent again on each change derives its earlier events again: the claims found them stored.
      expect(firstImport.duplicates).toBeGreaterThan(0);
      expect(firstImport.deliveries).toBe(firstImport.accepted + firstImport.duplicates + firstImport.rejected);
      const tablesBefore = await baseTableRows(context.warehouse);
      const again = await importPortal(context, portalPath, unitsCsv, dlq(), OFFICER_KEY);
      // The same bytes: every position is found in the ledger, nothing is stored, counted or dead-lettered.
      expect(again).toMatchObject({
        records: firstImport.records,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        redelivered: again.deliveries,
      });
      expect(again.deliveries).toBeGreaterThan(0);
      expect(await rawCounts(context.warehouse)).toEqual(before);
      expect(await baseTableRows(context.warehouse)).toEqual(tablesBefore);
    });
  });

  it('keeps every personal value out of every table and the dead letters; officers only as keyed hashes', async () => {
    const values = [...FIXTURE_VALUES, ...personalValuesOf(portalLines)];
    expect(values.length).toBeGreaterThan(100);
    expect(existsSync(dlq())).toBe(true);
    const deadLetters = readFileSync(dlq(), 'utf8');
    // One dead letter per bad element: importing the export again sent none twice.
    expect(deadLetters.split('\n').filter(Boolean)).toHaveLength(bad.lines.length);
    await withContext(join(root, 'portal'), async (context) => {
      const tables = await dumpAllTables(context.warehouse);
      const places = new Map([...tables, ['dead letters', deadLetters]]);
      for (const value of values) {
        for (const [place, text] of places) expect(text.includes(value), `${value} in ${place}`).toBe(false);
      }
      const [officers] = await context.warehouse.query<{ refs: number; hashed: number }>(
        `SELECT count() AS refs, countIf(match(officer_ref, '^nx-[0-9a-f]{32}$')) AS hashed
         FROM dossier_events WHERE officer_ref IS NOT NULL`,
      );
      expect(Number(officers?.refs)).toBeGreaterThan(0);
      expect(officers?.hashed).toBe(officers?.refs);
    });
  });
});
