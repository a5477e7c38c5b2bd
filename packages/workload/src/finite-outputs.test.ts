// Every exported function, fed zeros and extremes: it returns only finite numbers (or null), or it refuses with a
// RangeError. Over realistic ranges it never refuses.
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
import { forecastNextWeek, simpleExponentialSmoothing } from './forecast.ts';
import { DEFAULT_PARAMS, type EstimationParams, paramsVersion, resolveParams } from './params.ts';
import { assessPressure, backlogWeeks, pressureIndex, pressureLevel } from './pressure.ts';
import { nearestRankPercentile, proposalTotals, staffingProposal } from './proposal.ts';
import { applyScenario } from './scenario.ts';
import {
  availableWorkingTime,
  categoryAllowanceFactor,
  individualAllowanceFactor,
  requiredFteForPeriod,
  requiredFteFromFactors,
  requiredStaff,
  standardWorkload,
  wisnDifference,
  wisnFactors,
  wisnRatio,
} from './wisn.ts';

function expectFiniteDeep(value: unknown, path = 'result'): void {
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expectFiniteDeep(v, `${path}[${i}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) expectFiniteDeep(v, `${path}.${k}`);
  }
}

/** Finite output or a RangeError; anything else (NaN, Infinity, a TypeError) fails. */
function finiteOrRangeError(run: () => unknown): void {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return;
  }
  expectFiniteDeep(result);
}

const extreme = fc.oneof(
  fc.constantFrom(0, -0, Number.MIN_VALUE, 1e-300, 1e-9, 0.5, 1, 7, 1e9, 1e15, 1e300, Number.MAX_VALUE),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
);
const anyNumber = fc.oneof(
  extreme,
  fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const servers = fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 3000 }));

const validParams: fc.Arbitrary<EstimationParams> = fc
  .record({
    working_days_per_year: fc.integer({ min: 200, max: 366 }),
    public_holidays: fc.integer({ min: 0, max: 30 }),
    annual_leave: fc.integer({ min: 0, max: 40 }),
    sick_leave: fc.integer({ min: 0, max: 40 }),
    other_leave: fc.integer({ min: 0, max: 40 }),
    hours_per_day: fc.double({ min: 1, max: 12, noNaN: true }),
    category_allowance_percent: fc.double({ min: 0, max: 95, noNaN: true }),
    individual_allowance_hours: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 5000, noNaN: true })),
  })
  .map((p) => ({ ...DEFAULT_PARAMS, ...p }));

describe('no NaN or Infinity leaves the package', () => {
  it('params', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...Object.keys(DEFAULT_PARAMS), 'other'),
          fc.oneof(anyNumber, fc.array(anyNumber, { maxLength: 5 })),
        ),
        (input) => {
          const result = resolveParams(input);
          if (result.ok) {
            expectFiniteDeep(result.params);
            expect(paramsVersion(result.params)).toMatch(/^params-[0-9a-f]{16}$/);
            expect(availableWorkingTime(result.params).ok).toBe(true);
            expect(wisnFactors(result.params).ok).toBe(true);
          }
        },
      ),
    );
  });

  it('wisn', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, anyNumber, anyNumber, (a, b, c, d) => {
        const params = {
          ...DEFAULT_PARAMS,
          working_days_per_year: a,
          annual_leave: b,
          hours_per_day: c,
          category_allowance_percent: d,
          individual_allowance_hours: b,
        };
        finiteOrRangeError(() => availableWorkingTime(params));
        finiteOrRangeError(() => wisnFactors(params));
        finiteOrRangeError(() => standardWorkload(a, b));
        finiteOrRangeError(() => categoryAllowanceFactor(d));
        finiteOrRangeError(() => individualAllowanceFactor(a, b));
        finiteOrRangeError(() => requiredFteForPeriod({ workloadMinutes: a, params }));
        finiteOrRangeError(() => requiredFteForPeriod({ workloadMinutes: a, params: DEFAULT_PARAMS }));
        finiteOrRangeError(() =>
          requiredFteFromFactors(a, {
            awtDays: 1,
            awtHours: c,
            categoryAllowanceFactor: d,
            individualAllowanceFactor: 0,
          }),
        );
        finiteOrRangeError(() =>
          requiredStaff({
            activities: [
              { annualWorkload: a, minutesPerItem: b },
              { annualWorkload: c, minutesPerItem: d },
            ],
            params,
          }),
        );
        finiteOrRangeError(() => wisnRatio(a, b));
        finiteOrRangeError(() => wisnDifference(c, d));
      }),
    );
  });

  it('erlang c', () => {
    fc.assert(
      fc.property(servers, anyNumber, anyNumber, anyNumber, (n, a, aht, t) => {
        finiteOrRangeError(() => erlangB(n, a));
        finiteOrRangeError(() => erlangC(n, a));
        finiteOrRangeError(() => serviceLevel(n, a, aht, t));
        finiteOrRangeError(() => averageSpeedOfAnswer(n, a, aht));
        finiteOrRangeError(() => occupancy(n, a));
        finiteOrRangeError(() => offeredLoad(a, aht));
      }),
    );
    fc.assert(
      fc.property(
        anyNumber,
        anyNumber,
        anyNumber,
        fc.oneof(fc.constant(undefined), servers),
        (lambda, aht, t, maxCounters) => {
          finiteOrRangeError(() =>
            countersNeeded({
              arrivalsPerHour: lambda,
              handlingMinutes: aht,
              targetServiceLevel: 0.8,
              withinMinutes: t,
              maxCounters,
            }),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forecast', () => {
    fc.assert(
      fc.property(
        fc.array(anyNumber, { maxLength: 40 }),
        fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
        (series, alpha) => {
          finiteOrRangeError(() => simpleExponentialSmoothing(series, alpha));
          finiteOrRangeError(() => forecastNextWeek(series));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pressure and proposal', () => {
    fc.assert(
      fc.property(
        anyNumber,
        fc.oneof(fc.constant(null), anyNumber),
        fc.array(anyNumber, { maxLength: 8 }),
        (required, actual, weeks) => {
          finiteOrRangeError(() => pressureIndex(required, actual ?? 0));
          finiteOrRangeError(() => pressureLevel(required));
          finiteOrRangeError(() => assessPressure({ requiredFte: required, actualFte: actual }));
          finiteOrRangeError(() => backlogWeeks(required, weeks));
          finiteOrRangeError(() => nearestRankPercentile(weeks, 80));
          finiteOrRangeError(() => staffingProposal({ weeklyRequiredFte: weeks, actualFte: actual }));
          finiteOrRangeError(() =>
            proposalTotals(
              weeks.map((w, i) => ({
                communeCode: String(i),
                provinceCode: String(i % 2),
                proposedStaff: w,
                actualFte: actual,
              })),
            ),
          );
        },
      ),
    );
  });

  it('scenario', () => {
    fc.assert(
      fc.property(
        fc.array(anyNumber, { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.constant(null), anyNumber),
        anyNumber,
        (minutes, actual, fte) => {
          finiteOrRangeError(() =>
            applyScenario({
              communes: [
                {
                  communeCode: '00004',
                  provinceCode: '01',
                  actualFte: actual,
                  weeklyWorkloadMinutesByProcedure: minutes.map((m) => ({ '1.001193': m, '1.000001': m })),
                },
              ],
              params: DEFAULT_PARAMS,
              scenario: {
                addSupportFte: [{ communeCode: '00004', fte }],
                cutStandardMinutes: [{ procedureCode: '1.001193', percent: 50 }],
              },
            }),
          );
        },
      ),
    );
  });
});

describe('over realistic ranges nothing is refused', () => {
  // Realistic granularity: a hundredth of a minute, of an hour, of an FTE. Subnormal amounts (1e-320) are no
  // roster's or catalog's, and dividing by them is what overflows.
  const minutes = fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e7, noNaN: true }));
  const fte = fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 500, noNaN: true }));

  it('required staff, pressure, proposal and scenarios', () => {
    fc.assert(
      fc.property(
        validParams,
        fc.array(minutes, { minLength: 1, maxLength: 60 }),
        fc.oneof(fc.constant(null), fte),
        fte,
        (params, weekly, actual, added) => {
          const last = weekly.at(-1) ?? 0;
          const required = requiredFteForPeriod({ workloadMinutes: last, params });
          expect(required.ok).toBe(true);
          if (!required.ok) return;
          expectFiniteDeep(required.value);
          const pressure = assessPressure({
            requiredFte: required.value,
            actualFte: actual,
            thresholds: params.level_thresholds,
          });
          expectFiniteDeep(pressure);
          expect(pressure.level === null).toBe(actual === null);
          const result = applyScenario({
            communes: [
              {
                communeCode: '00004',
                provinceCode: '01',
                actualFte: actual,
                weeklyWorkloadMinutesByProcedure: weekly.map((m) => ({ '1.001193': m })),
              },
            ],
            params,
            scenario: added > 0 ? { addSupportFte: [{ communeCode: '00004', fte: added }] } : {},
          });
          expect(result.ok).toBe(true);
          expectFiniteDeep(result);
        },
      ),
    );
  });

  it('counters', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (lambda, aht, t, target) => {
          const result = countersNeeded({
            arrivalsPerHour: lambda,
            handlingMinutes: aht,
            targetServiceLevel: target,
            withinMinutes: t,
          });
          expect(result.countersNeeded).not.toBeNull();
          expectFiniteDeep(result);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forecast', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), (daily) => {
        const result = forecastNextWeek(daily);
        expectFiniteDeep(result);
      }),
      { numRuns: 50 },
    );
  });
});
