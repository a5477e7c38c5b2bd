import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actualFte } from './indicator.ts';
import {
  aggregatePressureIndex,
  assessPressure,
  backlogWeeks,
  pressureIndex,
  pressureLevel,
  staffedTotals,
} from './pressure.ts';

describe('pressure level', () => {
  it('follows the spec table at and around each boundary', () => {
    const cases: [number, string][] = [
      [0, 'low'],
      [0.79, 'low'],
      [0.8, 'normal'],
      [0.99, 'normal'],
      [1.0, 'elevated'],
      [1.19, 'elevated'],
      [1.2, 'high'],
      [1.49, 'high'],
      [1.5, 'critical'],
      [40, 'critical'],
    ];
    for (const [index, level] of cases) expect(pressureLevel(index)).toBe(level);
  });

  it('takes configured thresholds and refuses unordered ones', () => {
    expect(pressureLevel(1.1, [0.5, 0.9, 1.0, 1.1])).toBe('critical');
    expect(() => pressureLevel(1, [1, 0.9, 1.2, 1.5])).toThrow(RangeError);
  });
});

describe('pressure index and assessment', () => {
  it('is required / actual, 0 with nothing required, null for work on zero staff', () => {
    expect(pressureIndex(3, 2)).toBe(1.5);
    expect(pressureIndex(0, 2)).toBe(0);
    expect(pressureIndex(0, 0)).toBe(0);
    expect(pressureIndex(1, 0)).toBeNull();
  });

  it('gives no index and no level without staffing data', () => {
    expect(assessPressure({ requiredFte: 2, actualFte: null })).toEqual({
      pressureIndex: null,
      level: null,
      noStaff: false,
      missingStaffing: true,
    });
  });

  it('marks work on zero staff critical, without inventing an index', () => {
    expect(assessPressure({ requiredFte: 2, actualFte: 0 })).toEqual({
      pressureIndex: null,
      level: 'critical',
      noStaff: true,
      missingStaffing: false,
    });
    expect(assessPressure({ requiredFte: 0, actualFte: 0 })).toEqual({
      pressureIndex: 0,
      level: 'low',
      noStaff: true,
      missingStaffing: false,
    });
  });

  it('property: pressure falls as staff is added', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        // Staff in FTE as a roster gives them: 0, or at least a hundredth.
        fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
        fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
        (required, actual, added) => {
          const before = pressureIndex(required, actual);
          const after = pressureIndex(required, actual + added);
          if (before !== null && after !== null) expect(after).toBeLessThanOrEqual(before);
          if (before === null) expect(required).toBeGreaterThan(0);
          const rank = (fte: number) =>
            ['low', 'normal', 'elevated', 'high', 'critical'].indexOf(
              assessPressure({ requiredFte: required, actualFte: fte }).level ?? '',
            );
          expect(rank(actual + added)).toBeLessThanOrEqual(rank(actual));
        },
      ),
    );
  });
});

describe('aggregate pressure index', () => {
  const row = (required_fte: number, actual_fte: number | null) => ({ required_fte, actual_fte });

  it('is Σ required over Σ actual of the communes with staffing data, not the mean of their indexes', () => {
    // 6 / 2 = 3 and 1 / 4 = 0.25 average to 1.625; the group has 7 FTE of work for 6 at work.
    const rows = [row(6, 2), row(1, 4), row(9, null)];
    expect(staffedTotals(rows)).toEqual({ requiredFte: 7, actualFte: 6 });
    expect(aggregatePressureIndex(staffedTotals(rows))).toBeCloseTo(7 / 6, 12);
  });

  it('is null when the communes with data have no staff, or none has data', () => {
    expect(aggregatePressureIndex(staffedTotals([row(3, 0), row(0, 0)]))).toBeNull();
    expect(aggregatePressureIndex(staffedTotals([row(3, null)]))).toBeNull();
    expect(aggregatePressureIndex(staffedTotals([]))).toBeNull();
    expect(aggregatePressureIndex({ requiredFte: 0, actualFte: 2 })).toBe(0);
  });

  it('property: equals the sums taken over the filtered rows', () => {
    const fte = fc.double({ min: 0, max: 500, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.record({ required_fte: fte, actual_fte: fc.option(fte, { nil: null }) })), (rows) => {
        const withData = rows.filter((r) => r.actual_fte !== null);
        const required = withData.map((r) => r.required_fte).reduce((a, b) => a + b, 0);
        const actual = withData.map((r) => r.actual_fte as number).reduce((a, b) => a + b, 0);
        expect(aggregatePressureIndex(staffedTotals(rows))).toBe(actual > 0 ? required / actual : null);
      }),
    );
  });
});

describe('actual FTE', () => {
  it('adds civil servants, contract staff and support', () => {
    expect(actualFte({ civilServants: 4, contractStaff: 1.5, supportFte: 0.25 })).toBe(5.75);
    expect(actualFte({ civilServants: 0, contractStaff: 0, supportFte: 0 })).toBe(0);
  });
});

describe('backlogWeeks', () => {
  it("is open over the mean weekly resolved of the last 4 weeks (Little's law)", () => {
    expect(backlogWeeks(30, [100, 10, 20, 30, 40])).toBe(1.2);
    expect(backlogWeeks(30, [15])).toBe(2);
  });

  it('is 0 without a backlog and null when nothing is resolved', () => {
    expect(backlogWeeks(0, [])).toBe(0);
    expect(backlogWeeks(0, [0, 0])).toBe(0);
    expect(backlogWeeks(5, [0, 0, 0, 0])).toBeNull();
    expect(backlogWeeks(5, [])).toBeNull();
  });
});
