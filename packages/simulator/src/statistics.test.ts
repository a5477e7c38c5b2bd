import {
  communes,
  defaultCalendar,
  defaultProcedureCatalog,
  parseDay,
  vnDayNumber,
  weekdayOf,
} from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import { createWorkClock } from './clock.ts';
import { communeProfiles } from './profiles.ts';
import { parseLines, quantile, runSimulation, timelines, type WireEvent } from './test-support.ts';

const catalog = defaultProcedureCatalog();
const clock = createWorkClock(defaultCalendar());
const every = (n: number) =>
  communes()
    .filter((_, i) => i % n === 0)
    .map((c) => c.code);
const receivedOnly = (lines: readonly string[]): WireEvent[] =>
  parseLines(lines.filter((line) => line.includes('"event_type":"received"')));

describe('volumes, weekdays, channels and procedures', () => {
  // Six holiday-free weeks (after the 30/4–1/5 bridge, before 2 September) for about 150 communes.
  const startDay = '2026-05-04';
  const days = 42;
  const sample = every(22);
  const { lines } = runSimulation({ seed: 11, communeCodes: sample, startDay, days });
  const received = receivedOnly(lines);

  it('peak on Monday, fall on Friday, and stop at weekends', () => {
    const byWeekday = new Array<number>(7).fill(0);
    for (const event of received) {
      const weekday = weekdayOf(vnDayNumber(Date.parse(event.occurred_at)));
      byWeekday[weekday] = (byWeekday[weekday] as number) + 1;
    }
    const [monday, tuesday, wednesday, thursday, friday, saturday, sunday] = byWeekday as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expect(saturday + sunday).toBe(0);
    expect(monday).toBeGreaterThan(1.1 * Math.max(tuesday, wednesday, thursday, friday));
    expect(friday).toBeLessThan(Math.min(tuesday, wednesday, thursday));
    // Monday peaks in most communes, not only in the total.
    const perCommune = new Map<string, number[]>();
    for (const event of received) {
      const counts = perCommune.get(event.commune_code) ?? new Array<number>(5).fill(0);
      const weekday = weekdayOf(vnDayNumber(Date.parse(event.occurred_at)));
      counts[weekday] = (counts[weekday] as number) + 1;
      perCommune.set(event.commune_code, counts);
    }
    const mondayPeaks = [...perCommune.values()].filter((c) => (c[0] as number) === Math.max(...c)).length;
    expect(mondayPeaks / perCommune.size).toBeGreaterThan(0.7);
  });

  it('follow the online-share curve and rise with it over the year', () => {
    // Default curve: 35 % on the first day to 60 % a year later; commune offsets average out nationally.
    const curve = (day: number) => 0.35 + (0.25 * (day - parseDay(startDay))) / 365;
    const share = (events: readonly WireEvent[]) => events.filter((e) => e.channel === 'online').length / events.length;
    const expected = (events: readonly WireEvent[]) =>
      events.reduce((sum, e) => sum + curve(vnDayNumber(Date.parse(e.occurred_at))), 0) / events.length;
    expect(Math.abs(share(received) - expected(received))).toBeLessThan(0.03);

    const later = receivedOnly(
      runSimulation({
        seed: 11,
        communeCodes: every(25),
        startDay: '2027-03-15',
        days: 14,
        onlineShare: { start: 0.35, end: 0.6, days: 365, fromDay: startDay },
      }).lines,
    );
    expect(Math.abs(share(later) - expected(later))).toBeLessThan(0.03);
    expect(share(later) - share(received)).toBeGreaterThan(0.15);
    // Within the six weeks too, week by week on average.
    const weekly = [0, 1, 2, 3, 4, 5].map((week) =>
      share(
        received.filter((e) => Math.floor((vnDayNumber(Date.parse(e.occurred_at)) - parseDay(startDay)) / 7) === week),
      ),
    );
    expect((weekly[5] as number) + (weekly[4] as number)).toBeGreaterThan(
      (weekly[0] as number) + (weekly[1] as number),
    );
    // Postal receipts exist, and are few.
    const postal = received.filter((e) => e.channel === 'postal').length / received.length;
    expect(postal).toBeGreaterThan(0.005);
    expect(postal).toBeLessThan(0.05);
  });

  it('are mostly civil status and certification, using the catalog codes (and a few it lacks)', () => {
    const byDomain = new Map<string, number>();
    let unknown = 0;
    for (const event of received) {
      const row = catalog.lookup(event.procedure_code);
      if (!row.known) unknown++;
      byDomain.set(row.domain, (byDomain.get(row.domain) ?? 0) + 1);
    }
    const shareOf = (domain: string) => (byDomain.get(domain) ?? 0) / received.length;
    expect(shareOf('ho_tich') + shareOf('chung_thuc')).toBeGreaterThanOrEqual(0.5);
    expect(shareOf('chung_thuc')).toBeGreaterThan(shareOf('cu_tru'));
    for (const domain of ['cu_tru', 'dat_dai', 'bao_tro_xa_hoi', 'ho_kinh_doanh'])
      expect(shareOf(domain)).toBeGreaterThan(0.01);
    expect(unknown / received.length).toBeGreaterThan(0);
    expect(unknown / received.length).toBeLessThan(0.02);
    expect(new Set(received.map((e) => e.procedure_code)).size).toBeGreaterThan(30);
  });

  it('differ by more than ten times between small and large communes', () => {
    const profiles = communeProfiles({ seed: 11, startDay, days });
    const sizes = profiles.map((p) => p.meanDailyReceipts).sort((a, b) => a - b);
    expect(quantile(sizes, 0.9) / quantile(sizes, 0.1)).toBeGreaterThanOrEqual(10);
    expect(quantile(sizes, 0.1)).toBeGreaterThan(2);
    expect(quantile(sizes, 0.9)).toBeLessThan(150);
    const medianOf = (kind: string) =>
      quantile(
        profiles
          .filter((p) => p.commune.kind === kind)
          .map((p) => p.meanDailyReceipts)
          .sort((a, b) => a - b),
        0.5,
      );
    expect(medianOf('phuong')).toBeGreaterThan(2 * medianOf('xa'));
    expect(medianOf('dac_khu')).toBeLessThan(medianOf('xa'));

    // What the events show: mean receipts per working day per commune, spread the same way.
    const workingDays = Array.from({ length: days }, (_, i) => parseDay(startDay) + i).filter(
      clock.isWorkingDay,
    ).length;
    const counts = new Map<string, number>(sample.map((code) => [code, 0]));
    for (const event of received) counts.set(event.commune_code, (counts.get(event.commune_code) ?? 0) + 1);
    const realised = [...counts.values()].map((n) => n / workingDays).sort((a, b) => a - b);
    expect(quantile(realised, 0.9) / quantile(realised, 0.1)).toBeGreaterThanOrEqual(8);
    const expectedByCode = new Map(profiles.map((p) => [p.commune.code, p.meanDailyReceipts]));
    for (const [code, n] of counts) {
      const expectedDaily = expectedByCode.get(code) as number;
      if (expectedDaily >= 10) expect(Math.abs(n / workingDays / expectedDaily - 1), code).toBeLessThan(0.3);
    }
  });
});

describe('holidays', () => {
  it('no receipts while the centers are closed for Tết, online submissions go on, then the queue comes back', () => {
    const { lines } = runSimulation({ seed: 2, communeCodes: every(50), startDay: '2026-02-09', days: 21 });
    const events = parseLines(lines);
    const onDay = (day: string, type: string) =>
      events.filter((e) => e.event_type === type && e.occurred_at.startsWith(day));
    for (const day of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) {
      expect(onDay(day, 'received'), day).toHaveLength(0);
      expect(onDay(day, 'resolved'), day).toHaveLength(0);
      expect(onDay(day, 'submitted').length, day).toBeGreaterThan(0);
    }
    // The Monday after Tết receives more than the Monday before it: the week's submissions and the waiting queue.
    expect(onDay('2026-02-23', 'received').length).toBeGreaterThan(1.3 * onDay('2026-02-09', 'received').length);
  });
});

describe('deadlines and overload', () => {
  // Two weeks for every 11th commune: about 300 communes, some 35 of them overloaded.
  const sample = every(11);
  const scope = { seed: 21, communeCodes: sample, startDay: '2026-06-01', days: 14 };
  const profiles = new Map(communeProfiles(scope).map((p) => [p.commune.code, p]));
  const { lines } = runSimulation(scope);
  const dossiers = timelines(
    parseLines(lines.filter((l) => /"event_type":"(received|resolved|deadline_extended)"/.test(l))),
  );

  it('are mostly met, less so where staff are short, and processing is slower there', () => {
    const tally = {
      normal: { resolved: 0, onTime: 0, hours: [] as number[] },
      overloaded: { resolved: 0, onTime: 0, hours: [] as number[] },
    };
    for (const timeline of dossiers.values()) {
      if (timeline.resolvedMs === undefined || timeline.receivedMs === undefined) continue;
      expect(timeline.resolvedMs).toBeGreaterThan(timeline.receivedMs);
      const group = profiles.get(timeline.communeCode)?.overloaded ? tally.overloaded : tally.normal;
      group.resolved++;
      if (timeline.resolvedMs <= (timeline.dueMs as number)) group.onTime++;
      // Same-day procedures only, so the comparison is not a difference of procedure mix.
      if (catalog.lookup(timeline.procedureCode).deadlineWorkingDays === 0) {
        group.hours.push(clock.workingBetween(timeline.receivedMs, timeline.resolvedMs) / 3_600_000);
      }
    }
    const rate = (g: { resolved: number; onTime: number }) => g.onTime / g.resolved;
    const overall =
      (tally.normal.onTime + tally.overloaded.onTime) / (tally.normal.resolved + tally.overloaded.resolved);
    expect(tally.overloaded.resolved).toBeGreaterThan(1000);
    expect(overall).toBeGreaterThan(0.6);
    expect(overall).toBeLessThan(0.98);
    expect(rate(tally.normal)).toBeGreaterThan(0.85);
    expect(rate(tally.overloaded)).toBeLessThan(rate(tally.normal) - 0.1);
    const median = (values: number[]) =>
      quantile(
        [...values].sort((a, b) => a - b),
        0.5,
      );
    expect(median(tally.overloaded.hours)).toBeGreaterThan(1.2 * median(tally.normal.hours));
  });
});
