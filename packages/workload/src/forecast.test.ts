import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastNextWeek, simpleExponentialSmoothing } from './forecast.ts';

const NIST = [71, 70, 69, 68, 64, 65, 72, 78, 75, 75, 75, 70];

describe('simple exponential smoothing (NIST/SEMATECH 6.4.3.1)', () => {
  it('starts with S_2 = y_1 and ends at 71.7 for α = 0.1', () => {
    const { smoothed, nextForecast } = simpleExponentialSmoothing(NIST, 0.1);
    expect(smoothed[0]).toBeNull();
    expect(smoothed[1]).toBe(71);
    expect(smoothed.slice(1).map((s) => s?.toFixed(2))).toEqual([
      '71.00',
      '70.90',
      '70.71',
      '70.44',
      '69.80',
      '69.32',
      '69.58',
      '70.43',
      '70.88',
      '71.29',
      '71.67',
    ]);
    expect(smoothed.at(-1)?.toFixed(1)).toBe('71.7');
    // 6.4.3.2 continues the example: S_13 = 0.1 × 70 + 0.9 × 71.7 = 71.5.
    expect(nextForecast?.toFixed(1)).toBe('71.5');
  });

  it('handles empty and one-element series', () => {
    expect(simpleExponentialSmoothing([], 0.5)).toEqual({ smoothed: [], nextForecast: null });
    expect(simpleExponentialSmoothing([4], 0.5)).toEqual({ smoothed: [null], nextForecast: 4 });
    expect(() => simpleExponentialSmoothing([1], 0)).toThrow(RangeError);
  });
});

/** Weeks of a weekday pattern (Monday first) with a deterministic wobble and an optional weekly drift. */
function weeks(count: number, drift = 0): number[] {
  const pattern = [30, 26, 28, 27, 22, 4, 0];
  const out: number[] = [];
  for (let w = 0; w < count; w++) {
    pattern.forEach((base, d) => {
      out.push(Math.max(0, base + ((w * 7 + d * 3) % 5) - 2 + (d < 5 ? w * drift : 0)));
    });
  }
  return out;
}

describe('forecastNextWeek', () => {
  it('gives no forecast with less than a week of history', () => {
    expect(forecastNextWeek([3, 4, 5])).toEqual({
      method: 'insufficient-history',
      nextWeekTotal: null,
      nextDays: null,
      constants: null,
      pastError: { mae: null, mape: null, weeks: 0 },
    });
  });

  it('repeats the last week below two full weeks', () => {
    const history = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const result = forecastNextWeek(history);
    expect(result.method).toBe('seasonal-naive');
    expect(result.nextDays).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(result.nextWeekTotal).toBe(49);
    expect(result.pastError.weeks).toBe(0);
  });

  it('forecasts a pure weekly pattern exactly with Holt-Winters', () => {
    const pattern = [30, 26, 28, 27, 22, 4, 0];
    const history = Array.from({ length: 8 }, () => pattern).flat();
    const result = forecastNextWeek(history);
    expect(result.method).toBe('holt-winters-additive');
    for (const [i, v] of (result.nextDays ?? []).entries()) expect(v).toBeCloseTo(pattern[i] as number, 9);
    expect(result.nextWeekTotal).toBeCloseTo(137, 9);
    expect(result.pastError.weeks).toBe(6);
    expect(result.pastError.mae).toBeCloseTo(0, 9);
    expect(result.pastError.mape).toBeCloseTo(0, 9);
  });

  it('keeps the weekday shape of the history and scores the latest 8 weeks', () => {
    const history = weeks(20);
    const result = forecastNextWeek(history);
    expect(result.method).toBe('holt-winters-additive');
    const days = result.nextDays ?? [];
    // Weekdays busy, Sunday near zero.
    expect(Math.min(...days.slice(0, 5))).toBeGreaterThan(Math.max(...days.slice(5)));
    expect(result.nextWeekTotal).toBeGreaterThan(120);
    expect(result.nextWeekTotal).toBeLessThan(155);
    expect(result.pastError.weeks).toBe(8);
    expect(result.pastError.mape).toBeLessThan(10);
  });

  it('follows a trend', () => {
    const history = weeks(16, 2);
    const last = history.slice(-7).reduce((a, b) => a + b, 0);
    const result = forecastNextWeek(history);
    expect(result.nextWeekTotal).toBeGreaterThan(last);
  });

  it('scores only blocks after the first two weeks, and MAPE only weeks with receipts', () => {
    expect(forecastNextWeek(weeks(3)).pastError.weeks).toBe(1);
    expect(forecastNextWeek(weeks(3), { errorWeeks: 0 }).pastError).toEqual({ mae: null, mape: null, weeks: 0 });
    const quietLastWeek = [...weeks(4), 0, 0, 0, 0, 0, 0, 0];
    const result = forecastNextWeek(quietLastWeek, { errorWeeks: 1 });
    expect(result.pastError.weeks).toBe(1);
    expect(result.pastError.mape).toBeNull();
    expect(result.pastError.mae).toBeGreaterThan(0);
  });

  it('uses fixed constants when given', () => {
    const constants = { alpha: 0.3, beta: 0.1, gamma: 0.2 };
    expect(forecastNextWeek(weeks(6), { constants }).constants).toEqual(constants);
    expect(() => forecastNextWeek(weeks(6), { constants: { alpha: 0, beta: null, gamma: 0.1 } })).toThrow(RangeError);
  });

  it('property: outputs are finite and non-negative, and the total is the sum of the days', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1e9, noNaN: true })),
          { maxLength: 120 },
        ),
        (history) => {
          const result = forecastNextWeek(history);
          if (result.nextDays === null) {
            expect(history.length).toBeLessThan(7);
            return;
          }
          expect(result.nextDays).toHaveLength(7);
          for (const v of result.nextDays) expect(Number.isFinite(v) && v >= 0).toBe(true);
          const total = result.nextDays.reduce((a, b) => a + b, 0);
          expect(result.nextWeekTotal).toBe(total);
          for (const e of [result.pastError.mae, result.pastError.mape]) {
            if (e !== null) expect(Number.isFinite(e) && e >= 0).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
