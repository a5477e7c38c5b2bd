// WHO Workload Indicators of Staffing Need (user's manual 2010, 2nd edition 2023) applied to commune service
// staff: docs/spec/indicators.md section 2.

import { fail, ok, type Result, requireFiniteResult, requireNonNegative, requirePositive } from './numeric.ts';
import type { EstimationParams } from './params.ts';

export type { Result } from './numeric.ts';

export type WorkingTimeParams = Pick<
  EstimationParams,
  'working_days_per_year' | 'public_holidays' | 'annual_leave' | 'sick_leave' | 'other_leave' | 'hours_per_day'
>;

export type AvailableWorkingTime = { readonly days: number; readonly hours: number };

export const WEEKS_PER_YEAR = 52;

function nonNegativeConfig(name: string, value: number): string | null {
  return Number.isFinite(value) && value >= 0 ? null : `${name} must be a finite number >= 0, got ${String(value)}`;
}

/** AWT = (A − (B + C + D + E)) × h, per full-time person per year. */
export function availableWorkingTime(p: WorkingTimeParams): Result<AvailableWorkingTime> {
  const problem =
    nonNegativeConfig('working_days_per_year', p.working_days_per_year) ??
    nonNegativeConfig('public_holidays', p.public_holidays) ??
    nonNegativeConfig('annual_leave', p.annual_leave) ??
    nonNegativeConfig('sick_leave', p.sick_leave) ??
    nonNegativeConfig('other_leave', p.other_leave) ??
    nonNegativeConfig('hours_per_day', p.hours_per_day);
  if (problem !== null) return fail(problem);
  const leave = p.public_holidays + p.annual_leave + p.sick_leave + p.other_leave;
  const days = p.working_days_per_year - leave;
  if (days <= 0) {
    return fail(
      `no working time left: working_days_per_year (${p.working_days_per_year}) minus leave (${leave}) is ${days} days; lower the leave or raise the working days`,
    );
  }
  if (p.hours_per_day <= 0) return fail(`hours_per_day must be > 0, got ${p.hours_per_day}`);
  const hours = days * p.hours_per_day;
  if (!Number.isFinite(hours))
    return fail('available working time overflows; check working_days_per_year and hours_per_day');
  return ok({ days, hours });
}

/**
 * SW = AWT / t: the items one person can handle in a year, with AWT in hours and t in minutes per item.
 * Throws a RangeError unless both are > 0 (the catalog requires standard_minutes > 0).
 */
export function standardWorkload(awtHours: number, minutesPerItem: number): number {
  requirePositive('awtHours', awtHours);
  requirePositive('minutesPerItem', minutesPerItem);
  return requireFiniteResult('standard workload', (awtHours * 60) / minutesPerItem);
}

/** CAF = 1 / (1 − ΣCAS / 100); an error, not Infinity, once the allowances take all the time. */
export function categoryAllowanceFactor(categoryAllowancePercent: number): Result<number> {
  const problem = nonNegativeConfig('category_allowance_percent', categoryAllowancePercent);
  if (problem !== null) return fail(problem);
  if (categoryAllowancePercent >= 100) {
    return fail(
      `category_allowance_percent must be < 100, got ${categoryAllowancePercent}: allowances would leave no time for dossiers`,
    );
  }
  return ok(1 / (1 - categoryAllowancePercent / 100));
}

/** IAF = ΣIAS / AWT (both in hours a year): full-time staff needed for work only some people do. */
export function individualAllowanceFactor(individualAllowanceHours: number, awtHours: number): Result<number> {
  const problem = nonNegativeConfig('individual_allowance_hours', individualAllowanceHours);
  if (problem !== null) return fail(problem);
  if (!Number.isFinite(awtHours) || awtHours <= 0) {
    return fail(`available working time must be > 0 hours, got ${String(awtHours)}`);
  }
  const iaf = individualAllowanceHours / awtHours;
  if (!Number.isFinite(iaf)) return fail('individual allowance factor overflows; check individual_allowance_hours');
  return ok(iaf);
}

export type WisnFactors = {
  readonly awtDays: number;
  readonly awtHours: number;
  readonly categoryAllowanceFactor: number;
  readonly individualAllowanceFactor: number;
};

/** The parameter-only part of WISN, computed once per parameter set rather than per commune. */
export function wisnFactors(params: EstimationParams): Result<WisnFactors> {
  const awt = availableWorkingTime(params);
  if (!awt.ok) return awt;
  const caf = categoryAllowanceFactor(params.category_allowance_percent);
  if (!caf.ok) return caf;
  const iaf = individualAllowanceFactor(params.individual_allowance_hours, awt.value.hours);
  if (!iaf.ok) return iaf;
  return ok({
    awtDays: awt.value.days,
    awtHours: awt.value.hours,
    categoryAllowanceFactor: caf.value,
    individualAllowanceFactor: iaf.value,
  });
}

export type ActivityWorkload = {
  /** Items (dossiers) handled in a year. */
  readonly annualWorkload: number;
  /** The activity standard: staff minutes per item. */
  readonly minutesPerItem: number;
};

export type RequiredStaff = {
  /** A_req = Σ workload_p / SW_p, before allowances. */
  readonly staffForActivities: number;
  /** N = A_req × CAF + IAF. */
  readonly requiredStaff: number;
  readonly factors: WisnFactors;
};

/**
 * Annual WISN: N = Σ(workload_p / SW_p) × CAF + IAF. workload / SW is computed as workload × t / (AWT × 60),
 * the same quantity, so an activity with a zero standard simply adds nothing.
 */
export function requiredStaff(input: {
  readonly activities: readonly ActivityWorkload[];
  readonly params: EstimationParams;
}): Result<RequiredStaff> {
  const factors = wisnFactors(input.params);
  if (!factors.ok) return factors;
  let staffMinutes = 0;
  input.activities.forEach((activity, i) => {
    requireNonNegative(`activities[${i}].annualWorkload`, activity.annualWorkload);
    requireNonNegative(`activities[${i}].minutesPerItem`, activity.minutesPerItem);
    staffMinutes += activity.annualWorkload * activity.minutesPerItem;
  });
  const staffForActivities = requireFiniteResult('staff for activities', staffMinutes / (factors.value.awtHours * 60));
  const required = requireFiniteResult(
    'required staff',
    staffForActivities * factors.value.categoryAllowanceFactor + factors.value.individualAllowanceFactor,
  );
  return ok({ staffForActivities, requiredStaff: required, factors: factors.value });
}

/**
 * Weekly required FTE: (workload_minutes / 60) / (AWT / 52) × CAF + IAF. A rolling 7-day window is a week too.
 * Throws a RangeError for a negative or non-finite workload.
 */
export function requiredFteFromFactors(workloadMinutes: number, factors: WisnFactors): number {
  requireNonNegative('workloadMinutes', workloadMinutes);
  const weeklyHoursPerFte = factors.awtHours / WEEKS_PER_YEAR;
  const dossierFte = workloadMinutes / 60 / weeklyHoursPerFte;
  return requireFiniteResult(
    'required FTE',
    dossierFte * factors.categoryAllowanceFactor + factors.individualAllowanceFactor,
  );
}

/** requiredFteFromFactors for one period, deriving the factors from the parameters. */
export function requiredFteForPeriod(input: {
  readonly workloadMinutes: number;
  readonly params: EstimationParams;
}): Result<number> {
  const factors = wisnFactors(input.params);
  if (!factors.ok) return factors;
  return ok(requiredFteFromFactors(input.workloadMinutes, factors.value));
}

/**
 * WISN ratio = actual / required (< 1: understaffed). null when required is 0: with no workload there is no
 * need to compare staff against, and any finite stand-in would read as a measurement. actual 0 with work gives 0.
 */
export function wisnRatio(actualFte: number, requiredFte: number): number | null {
  requireNonNegative('actualFte', actualFte);
  requireNonNegative('requiredFte', requiredFte);
  if (requiredFte === 0) return null;
  return requireFiniteResult('WISN ratio', actualFte / requiredFte);
}

/** WISN difference = actual − required (negative: shortage), defined for every pair including zeros. */
export function wisnDifference(actualFte: number, requiredFte: number): number {
  requireNonNegative('actualFte', actualFte);
  requireNonNegative('requiredFte', requiredFte);
  return actualFte - requiredFte;
}
