import { validateDossierEvent } from '@commune-pulse/contracts';
import {
  communes,
  defaultCalendar,
  defaultProcedureCatalog,
  provinceOfCommune,
  vnDayNumber,
  vnDayStartMs,
} from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import { createWorkClock, OFFICE_WINDOWS } from './clock.ts';
import { simulateEvents } from './generate.ts';
import { localOffsetMs, parseLines, runSimulation, timelines } from './test-support.ts';

// A spread of communes: every 97th of the registry, wards, rural communes and a special zone among them.
const SAMPLE = communes()
  .filter((_, i) => i % 97 === 0)
  .map((c) => c.code);
const clock = createWorkClock(defaultCalendar());
const inOffice = (ms: number) =>
  clock.isWorkingDay(vnDayNumber(ms)) &&
  OFFICE_WINDOWS.some(([from, to]) => localOffsetMs(ms) >= from && localOffsetMs(ms) <= to);

describe('simulated dossier events', () => {
  const base = { seed: 7, communeCodes: SAMPLE, startDay: '2026-11-09', days: 14, faults: { personal: 0.05 } };
  const { lines, summary } = runSimulation(base);
  const events = parseLines(lines);

  it('are byte-identical for the same seed and options, and differ for another seed', () => {
    const small = { seed: 3, communeCodes: SAMPLE.slice(0, 6), startDay: '2026-03-02', days: 7 };
    const first = runSimulation(small).lines;
    expect(first.length).toBeGreaterThan(500);
    expect(runSimulation(small).lines).toEqual(first);
    const other = runSimulation({ ...small, seed: 4 }).lines;
    expect(other).not.toEqual(first);
    // Not merely renamed: the dossiers themselves differ (times, procedures, counts).
    const shape = (ls: string[]) => ls.map((l) => l.replace(/SIM[0-9]+-/g, ''));
    expect(shape(other)).not.toEqual(shape(first));
  });

  it('do not depend on which other communes or how many later days are simulated', () => {
    const one = SAMPLE[3] as string;
    const alone = runSimulation({ seed: 5, communeCodes: [one], startDay: '2026-03-02', days: 7 }).lines;
    const together = runSimulation({ seed: 5, communeCodes: SAMPLE.slice(0, 8), startDay: '2026-03-02', days: 14 });
    const endOfWeek = vnDayStartMs('2026-03-09');
    const ofOne = together.lines.filter(
      (line) => line.includes(`"commune_code":"${one}"`) && Date.parse(JSON.parse(line).occurred_at) < endOfWeek,
    );
    expect(alone.length).toBeGreaterThan(50);
    expect(ofOne).toEqual(alone);
  });

  it('all validate against dossier-event/1 and the registry, personal fields included', () => {
    expect(summary.events).toBe(lines.length);
    expect(summary.communes).toBe(SAMPLE.length);
    let personal = 0;
    for (const line of lines) {
      const result = validateDossierEvent(line, { nowMs: summary.endMs, provinceOfCommune });
      if (!result.ok) throw new Error(`${result.reject.reason}: ${result.reject.detail}\n${line}`);
      if (line.includes('"ChuHoSo"')) personal++;
    }
    expect(personal).toBeGreaterThan(0);
    expect(summary.personal).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    for (const event of events) {
      expect(event.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
      expect(event.event_id).toBe(`${event.dossier_id}.${event.event_id.split('.').pop()}`);
      expect(event.source_system).toMatch(/^sim-/);
    }
  });

  it('come in occurred_at order and never at or after the end', () => {
    let previous = 0;
    for (const event of events) {
      const ms = Date.parse(event.occurred_at);
      expect(ms).toBeGreaterThanOrEqual(previous);
      previous = ms;
    }
    expect(previous).toBeLessThan(summary.endMs);
    expect(summary.endMs).toBe(vnDayStartMs('2026-11-23'));
  });

  it('follow the lifecycle: submitted (online) → received → … → resolved → returned, in office hours', () => {
    const catalog = defaultProcedureCatalog();
    const closing = new Set(['intake_refused', 'withdrawn', 'suspended', 'returned']);
    let offHoursSubmissions = 0;
    for (const [id, timeline] of timelines(events)) {
      const { types, times } = timeline;
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      if (timeline.channel === 'online') expect(types[0]).toBe('submitted');
      else expect(['received', 'intake_refused']).toContain(types[0]);
      expect(types.filter((t) => t === 'submitted').length).toBe(timeline.channel === 'online' ? 1 : 0);
      const received = types.indexOf('received');
      if (received === -1) {
        expect(
          types.filter((t) => t !== 'submitted' && t !== 'intake_refused'),
          id,
        ).toEqual([]);
      } else {
        expect(types.indexOf('intake_refused')).toBe(-1);
        const receivedMs = timeline.receivedMs as number;
        const dueMs = timeline.receivedDueMs as number;
        expect(dueMs).toBeGreaterThanOrEqual(receivedMs);
        expect(dueMs).toBe(clock.dueAt(receivedMs, catalog.lookup(timeline.procedureCode).deadlineWorkingDays));
        expect(inOffice(receivedMs), `${id} received off hours`).toBe(true);
        if (timeline.resolvedMs !== undefined) {
          expect(timeline.resolvedMs).toBeGreaterThan(receivedMs);
          expect(inOffice(timeline.resolvedMs)).toBe(true);
          expect(types.slice(types.indexOf('resolved') + 1).every((t) => t === 'returned')).toBe(true);
        }
        if (timeline.returnedMs !== undefined) expect(types.at(-2)).toBe('resolved');
        const supplied = types.indexOf('supplement_received');
        if (supplied !== -1) expect(types.indexOf('supplement_requested')).toBeLessThan(supplied);
      }
      for (const [i, type] of types.entries())
        if (closing.has(type)) expect(i, `${id}: ${types}`).toBe(types.length - 1);
      if (timeline.submittedMs !== undefined && !inOffice(timeline.submittedMs)) offHoursSubmissions++;
    }
    // Citizens submit online in the evening and at weekends; the center receives in office hours.
    expect(offHoursSubmissions).toBeGreaterThan(100);
    const types = new Set(events.map((e) => e.event_type));
    for (const type of [
      'submitted',
      'received',
      'intake_refused',
      'processing',
      'supplement_requested',
      'supplement_received',
      'fee_requested',
      'deadline_extended',
      'withdrawn',
      'resolved',
      'returned',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it('stop at an explicit end: nothing at or after it, and dossiers still open stay open', () => {
    const endMs = Date.parse('2026-11-18T10:30:00+07:00');
    const cut = runSimulation({ ...base, endMs });
    const cutEvents = parseLines(cut.lines);
    expect(Math.max(...cutEvents.map((e) => Date.parse(e.occurred_at)))).toBeLessThan(endMs);
    // The same events as the full run up to that instant: the end cuts, it does not change what happened.
    expect(cut.lines).toEqual(lines.filter((line) => Date.parse(JSON.parse(line).occurred_at) < endMs));
    const open = [...timelines(cutEvents).values()].filter(
      (t) => t.receivedMs !== undefined && !t.types.some((x) => ['resolved', 'withdrawn', 'suspended'].includes(x)),
    );
    expect(open.length).toBeGreaterThan(100);
  });

  it('refuse bad options with a message naming the problem', () => {
    expect(() => simulateEvents({ ...base, seed: -1 })).toThrow(/seed/);
    expect(() => simulateEvents({ ...base, startDay: '2026-02-30' })).toThrow(/calendar date/);
    expect(() => simulateEvents({ ...base, days: 0 })).toThrow(/days/);
    expect(() => simulateEvents({ ...base, communeCodes: ['00004', '12345'] })).toThrow(/12345/);
    expect(() => simulateEvents({ ...base, faults: { redeliver: 1.5 } })).toThrow(/redeliver/);
    expect(() => simulateEvents({ ...base, onlineShare: { start: 0.3, end: 2 } })).toThrow(/onlineShare/);
  });
});
