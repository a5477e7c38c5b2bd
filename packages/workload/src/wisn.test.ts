import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type EstimationParams } from './params.ts';
import {
  availableWorkingTime,
  categoryAllowanceFactor,
  individualAllowanceFactor,
  requiredFteForPeriod,
  requiredStaff,
  standardWorkload,
  wisnDifference,
  wisnFactors,
  wisnRatio,
} from './wisn.ts';

// Burmen, Owuor & Mitei, Human Resources for Health 2017 15:9: AWT = 234 − 10 − 30 − 15 days of 8 h.
const BURMEN: EstimationParams = {
  ...DEFAULT_PARAMS,
  working_days_per_year: 234,
  public_holidays: 10,
  annual_leave: 30,
  sick_leave: 15,
  other_leave: 0,
  hours_per_day: 8,
};

function value<T>(result: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('available working time', () => {
  it('gives the spec defaults: 227 days, 1,816 h', () => {
    expect(availableWorkingTime(DEFAULT_PARAMS)).toEqual({ ok: true, value: { days: 227, hours: 1816 } });
  });

  it('reproduces Burmen et al. 2017: 179 days', () => {
    expect(value(availableWorkingTime(BURMEN))).toEqual({ days: 179, hours: 1432 });
  });

  it('is an error, not a negative time, when leave exceeds working days', () => {
    const result = availableWorkingTime({ ...DEFAULT_PARAMS, annual_leave: 300 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/no working time left/);
  });
});

describe('WISN', () => {
  it('reproduces Burmen et al. 2017: 25,000 h of work = 3,125 days → 17.46 staff before allowances', () => {
    // One item of 60 minutes per hour of work: 25,000 items.
    const sw = standardWorkload(1432, 60);
    expect(sw).toBe(1432);
    expect(25_000 / sw).toBeCloseTo(3125 / 179, 10);
    const result = value(
      requiredStaff({
        activities: [{ annualWorkload: 25_000, minutesPerItem: 60 }],
        params: { ...BURMEN, category_allowance_percent: 0 },
      }),
    );
    expect(result.staffForActivities.toFixed(2)).toBe('17.46');
    expect(result.requiredStaff).toBeCloseTo(result.staffForActivities, 12);
  });

  it('applies CAF and IAF: N = A_req × CAF + IAF', () => {
    const result = value(
      requiredStaff({
        activities: [
          { annualWorkload: 10_000, minutesPerItem: 30 },
          { annualWorkload: 2_000, minutesPerItem: 90 },
        ],
        params: { ...DEFAULT_PARAMS, individual_allowance_hours: 908 },
      }),
    );
    const aReq = (10_000 * 30 + 2_000 * 90) / 60 / 1816;
    expect(result.staffForActivities).toBeCloseTo(aReq, 12);
    expect(result.requiredStaff).toBeCloseTo(aReq * 1.25 + 0.5, 12);
  });

  it('CAF is 1 / (1 − ΣCAS/100), and an error at 100 % or more', () => {
    expect(value(categoryAllowanceFactor(20))).toBeCloseTo(1.25, 15);
    expect(value(categoryAllowanceFactor(0))).toBe(1);
    expect(categoryAllowanceFactor(100)).toEqual({ ok: false, error: expect.stringMatching(/must be < 100/) });
    expect(categoryAllowanceFactor(150).ok).toBe(false);
    expect(categoryAllowanceFactor(-1).ok).toBe(false);
  });

  it('IAF is ΣIAS / AWT', () => {
    expect(value(individualAllowanceFactor(181.6, 1816))).toBeCloseTo(0.1, 15);
    expect(individualAllowanceFactor(10, 0).ok).toBe(false);
  });

  it('weekly required FTE = (minutes / 60) / (AWT / 52) × CAF + IAF', () => {
    // 1,816 h / 52 = 34.923 h a week; 2 × that in minutes is two FTE before the 1.25 allowance.
    const minutes = (2 * 1816 * 60) / 52;
    expect(value(requiredFteForPeriod({ workloadMinutes: minutes, params: DEFAULT_PARAMS }))).toBeCloseTo(2.5, 12);
    expect(value(requiredFteForPeriod({ workloadMinutes: 0, params: DEFAULT_PARAMS }))).toBe(0);
    expect(
      requiredFteForPeriod({ workloadMinutes: 60, params: { ...DEFAULT_PARAMS, category_allowance_percent: 100 } }).ok,
    ).toBe(false);
    expect(() => requiredFteForPeriod({ workloadMinutes: -1, params: DEFAULT_PARAMS })).toThrow(RangeError);
  });

  it('ratio is null when nothing is required, 0 with no staff; difference always defined', () => {
    expect(wisnRatio(3, 4)).toBe(0.75);
    expect(wisnRatio(3, 0)).toBeNull();
    expect(wisnRatio(0, 0)).toBeNull();
    expect(wisnRatio(0, 2)).toBe(0);
    expect(wisnDifference(3, 4)).toBe(-1);
    expect(wisnDifference(0, 0)).toBe(0);
  });

  it('required staff grows with workload and falls as available time grows', () => {
    const days = fc.integer({ min: 0, max: 60 });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        days,
        days,
        (w1, w2, leave1, leave2) => {
          const [low, high] = w1 <= w2 ? [w1, w2] : [w2, w1];
          const fte = (workloadMinutes: number, p: EstimationParams) =>
            value(requiredFteForPeriod({ workloadMinutes, params: p }));
          expect(fte(low, DEFAULT_PARAMS)).toBeLessThanOrEqual(fte(high, DEFAULT_PARAMS));
          const [less, more] = leave1 <= leave2 ? [leave1, leave2] : [leave2, leave1];
          // More leave means less available time, hence more staff for the same work.
          expect(fte(high, { ...DEFAULT_PARAMS, other_leave: less })).toBeLessThanOrEqual(
            fte(high, { ...DEFAULT_PARAMS, other_leave: more }),
          );
        },
      ),
    );
  });

  it('computes the factors once per parameter set', () => {
    expect(value(wisnFactors(DEFAULT_PARAMS))).toEqual({
      awtDays: 227,
      awtHours: 1816,
      categoryAllowanceFactor: 1.25,
      individualAllowanceFactor: 0,
    });
  });
});
