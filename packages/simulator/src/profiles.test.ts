import { communes, defaultProcedureCatalog, parseDay, weekdayOf } from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import {
  communeProfiles,
  formatStaffingCsv,
  pressureOn,
  requiredFteForWeek,
  STAFFING_COLUMNS,
  simulateStaffing,
} from './profiles.ts';
import { parseLines, quantile, runSimulation } from './test-support.ts';

const fte = (row: { civil_servants: number; contract_staff: number; support_fte: number }) =>
  row.civil_servants + row.contract_staff + row.support_fte;

describe('commune profiles and staffing rosters', () => {
  const national = communeProfiles({ seed: 1, startDay: '2026-06-01', days: 56 });

  it('make 10–15 % of communes chronically overloaded, the others staffed for their volume', () => {
    const overloaded = national.filter((p) => p.overloaded);
    expect(national).toHaveLength(3321);
    expect(overloaded.length / national.length).toBeGreaterThanOrEqual(0.1);
    expect(overloaded.length / national.length).toBeLessThanOrEqual(0.15);
    for (const profile of national) {
      const [first] = profile.staffing;
      // The pressure the indicators will compute from the roster: required FTE (WISN) / actual FTE.
      const pressure = profile.requiredFte / fte(first as (typeof profile.staffing)[number]);
      expect(pressure).toBeCloseTo(profile.pressures[0]?.pressure as number, 10);
      if (profile.overloaded) expect(pressure, profile.commune.code).toBeGreaterThanOrEqual(1.3);
      else expect(pressure, profile.commune.code).toBeLessThanOrEqual(1.06);
    }
    expect(new Set(national.map((p) => p.overloaded)).size).toBe(2);
  });

  it('reinforce some overloaded communes half-way through a long span, from a Monday', () => {
    const reinforced = national.filter((p) => p.staffing.length > 1);
    expect(reinforced.length).toBeGreaterThan(0);
    for (const profile of reinforced) {
      expect(profile.overloaded).toBe(true);
      const [first, second] = profile.staffing as [
        (typeof profile.staffing)[number],
        (typeof profile.staffing)[number],
      ];
      expect(weekdayOf(parseDay(second.valid_from))).toBe(0);
      expect(second.valid_from > first.valid_from).toBe(true);
      expect(second.support_fte).toBeGreaterThan(first.support_fte);
      expect(profile.requiredFte / fte(second)).toBeLessThan(1);
      expect(pressureOn(profile, parseDay(second.valid_from))).toBeLessThan(1);
      expect(pressureOn(profile, parseDay(second.valid_from) - 1)).toBeGreaterThanOrEqual(1.3);
    }
    // A short span has one row per commune.
    expect(communeProfiles({ seed: 1, startDay: '2026-06-01', days: 14 }).every((p) => p.staffing.length === 1)).toBe(
      true,
    );
  });

  it('do not depend on which other communes are simulated, and follow the seed', () => {
    const code = national[1234]?.commune.code as string;
    const alone = communeProfiles({ seed: 1, communeCodes: [code], startDay: '2026-06-01', days: 56 })[0];
    expect(alone).toEqual(national[1234]);
    const other = communeProfiles({ seed: 2, communeCodes: [code], startDay: '2026-06-01', days: 56 })[0];
    expect(other?.meanDailyReceipts).not.toBe(alone?.meanDailyReceipts);
  });

  it('write staffing.csv as reference-inputs.md describes it', () => {
    const codes = ['00004', '26278', '32071'];
    const rows = simulateStaffing({ seed: 1, communeCodes: codes, startDay: '2026-06-01', days: 14 });
    const text = formatStaffingCsv(rows);
    const [header, ...lines] = text.trimEnd().split('\n');
    expect(header).toBe('commune_code,valid_from,civil_servants,contract_staff,support_fte,counters');
    expect(lines).toHaveLength(3);
    for (const [i, line] of lines.entries()) {
      const fields = (line as string).split(',');
      expect(fields).toHaveLength(STAFFING_COLUMNS.length);
      expect(fields[0]).toBe(codes[i]);
      expect(fields[1]).toBe('2026-06-01');
      for (const number of fields.slice(2, 5)) expect(number).toMatch(/^[0-9]+(\.[0-9]+)?$/);
      expect(fields[5]).toMatch(/^[1-9][0-9]*$/);
      expect(Number(fields[2]) + Number(fields[3]) + Number(fields[4])).toBeGreaterThan(0);
    }
  });

  it('match the volume the events actually carry: overloaded communes need well over the staff they have', () => {
    // Two weeks of a sample; workload as indicators §2 computes it from the received dossiers.
    const codes = communes()
      .filter((_, i) => i % 17 === 0)
      .map((c) => c.code);
    const scope = { seed: 1, communeCodes: codes, startDay: '2026-06-01', days: 14 };
    const profiles = communeProfiles(scope);
    const catalog = defaultProcedureCatalog();
    const minutes = new Map<string, number>();
    const received = parseLines(runSimulation(scope).lines.filter((l) => l.includes('"event_type":"received"')));
    for (const event of received) {
      const standard = catalog.lookup(event.procedure_code).standardMinutes;
      minutes.set(event.commune_code, (minutes.get(event.commune_code) ?? 0) + standard);
    }
    const pressure = (overloaded: boolean) =>
      profiles
        .filter((p) => p.overloaded === overloaded)
        .map((p) => requiredFteForWeek((minutes.get(p.commune.code) ?? 0) / 2) / fte(p.staffing[0] as never))
        .sort((a, b) => a - b);
    expect(quantile(pressure(true), 0.5)).toBeGreaterThan(1.25);
    expect(quantile(pressure(true), 0.1)).toBeGreaterThan(1.1);
    expect(quantile(pressure(false), 0.5)).toBeLessThan(1);
    expect(quantile(pressure(false), 0.9)).toBeLessThan(1.15);
  });
});
