import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averageSpeedOfAnswer,
  countersNeeded,
  erlangB,
  erlangC,
  occupancy,
  offeredLoad,
  serviceLevel,
} from './erlang-c.ts';

describe('Erlang C', () => {
  it('reproduces the published check: 100 calls in 30 min, 180 s, 80 % within 20 s → 14', () => {
    const result = countersNeeded({
      arrivalsPerHour: 200,
      handlingMinutes: 3,
      targetServiceLevel: 0.8,
      withinMinutes: 20 / 60,
    });
    expect(result.offeredLoad).toBe(10);
    expect(result.countersNeeded).toBe(14);
    const row = (n: number) => result.rows.find((r) => r.counters === n);
    expect(row(13)?.probabilityOfWaiting.toFixed(4)).toBe('0.2853');
    expect(row(13)?.serviceLevel.toFixed(4)).toBe('0.7956');
    expect(row(14)?.probabilityOfWaiting.toFixed(4)).toBe('0.1741');
    expect(row(14)?.serviceLevel.toFixed(4)).toBe('0.8884');
    expect(((row(14)?.averageWaitMinutes ?? Number.NaN) * 60).toFixed(2)).toBe('7.84');
    expect(row(14)?.occupancy?.toFixed(4)).toBe('0.7143');
    // The table runs from the first N > A to one past the answer.
    expect(result.rows.map((r) => r.counters)).toEqual([11, 12, 13, 14, 15]);
  });

  it('agrees with the standalone functions', () => {
    expect(erlangC(14, 10).toFixed(4)).toBe('0.1741');
    expect(serviceLevel(14, 10, 180, 20).toFixed(4)).toBe('0.8884');
    expect(averageSpeedOfAnswer(14, 10, 180)?.toFixed(2)).toBe('7.84');
    expect(occupancy(14, 10)).toBeCloseTo(10 / 14, 15);
    expect(offeredLoad(200, 3)).toBe(10);
  });

  it('Erlang B follows the recursion from B_0 = 1', () => {
    expect(erlangB(0, 5)).toBe(1);
    expect(erlangB(1, 1)).toBe(0.5);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 15);
    expect(erlangB(3, 0)).toBe(0);
  });

  it('defines the edges: no load, too few counters, no counters', () => {
    expect(erlangC(0, 0)).toBe(0);
    expect(erlangC(10, 10)).toBe(1);
    expect(serviceLevel(10, 10, 3, 15)).toBe(0);
    expect(averageSpeedOfAnswer(10, 10, 3)).toBeNull();
    expect(occupancy(10, 12)).toBe(1);
    expect(occupancy(0, 0)).toBeNull();
    expect(serviceLevel(2, 0, 0, 0)).toBe(1);
    expect(() => serviceLevel(2, 1, 0, 1)).toThrow(RangeError);
  });

  it('needs 0 counters with no load, with defined rows', () => {
    const result = countersNeeded({
      arrivalsPerHour: 0,
      handlingMinutes: 5,
      targetServiceLevel: 0.8,
      withinMinutes: 15,
    });
    expect(result.countersNeeded).toBe(0);
    expect(result.rows).toEqual([
      { counters: 0, probabilityOfWaiting: 0, serviceLevel: 1, averageWaitMinutes: 0, occupancy: null },
      { counters: 1, probabilityOfWaiting: 0, serviceLevel: 1, averageWaitMinutes: 0, occupancy: 0 },
    ]);
  });

  it('reports no answer when maxCounters comes first', () => {
    const result = countersNeeded({
      arrivalsPerHour: 200,
      handlingMinutes: 3,
      targetServiceLevel: 0.8,
      withinMinutes: 20 / 60,
      maxCounters: 13,
    });
    expect(result.countersNeeded).toBeNull();
    expect(result.rows.map((r) => r.counters)).toEqual([11, 12, 13]);
    expect(
      countersNeeded({
        arrivalsPerHour: 200,
        handlingMinutes: 3,
        targetServiceLevel: 0.8,
        withinMinutes: 1,
        maxCounters: 5,
      }).rows,
    ).toEqual([]);
  });

  it('stays finite and sensible at 1,000 Erlangs', () => {
    const result = countersNeeded({
      arrivalsPerHour: 20_000,
      handlingMinutes: 3,
      targetServiceLevel: 0.8,
      withinMinutes: 0.1,
    });
    expect(result.offeredLoad).toBe(1000);
    expect(result.countersNeeded).toBeGreaterThan(1000);
    expect(result.countersNeeded).toBeLessThan(1100);
    for (const row of result.rows) {
      expect(Number.isFinite(row.probabilityOfWaiting) && Number.isFinite(row.serviceLevel)).toBe(true);
    }
  });

  it('rejects a target outside (0, 1)', () => {
    expect(() =>
      countersNeeded({ arrivalsPerHour: 1, handlingMinutes: 1, targetServiceLevel: 1, withinMinutes: 1 }),
    ).toThrow(RangeError);
  });

  const load = fc.double({ min: 0.01, max: 1000, noNaN: true });
  const handling = fc.double({ min: 0.1, max: 120, noNaN: true });
  const within = fc.double({ min: 0, max: 60, noNaN: true });

  it('property: service level rises and waiting falls as counters are added', () => {
    fc.assert(
      fc.property(load, handling, within, fc.integer({ min: 0, max: 60 }), (a, aht, t, extra) => {
        const n = Math.floor(a) + 1 + extra;
        expect(serviceLevel(n + 1, a, aht, t)).toBeGreaterThanOrEqual(serviceLevel(n, a, aht, t));
        expect(erlangC(n + 1, a)).toBeLessThanOrEqual(erlangC(n, a));
      }),
    );
  });

  it('property: the answer meets the target and one counter fewer does not', () => {
    fc.assert(
      fc.property(load, handling, within, fc.double({ min: 0.05, max: 0.99, noNaN: true }), (a, aht, t, target) => {
        const result = countersNeeded({
          arrivalsPerHour: (a * 60) / aht,
          handlingMinutes: aht,
          targetServiceLevel: target,
          withinMinutes: t,
        });
        const needed = result.countersNeeded;
        expect(needed).not.toBeNull();
        if (needed === null) return;
        const at = result.rows.find((r) => r.counters === needed);
        expect(at?.serviceLevel).toBeGreaterThanOrEqual(target);
        const before = result.rows.find((r) => r.counters === needed - 1);
        if (before !== undefined) expect(before.serviceLevel).toBeLessThan(target);
        expect(needed).toBeGreaterThan(result.offeredLoad);
      }),
    );
  });
});
