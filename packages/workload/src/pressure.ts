// Pressure index and level (spec/indicators.md sections 1 and 4).

import { requireAllNonNegative, requireFiniteResult, requireNonNegative } from './numeric.ts';
import { DEFAULT_LEVEL_THRESHOLDS, type LevelThresholds } from './params.ts';

export const PRESSURE_LEVELS = ['low', 'normal', 'elevated', 'high', 'critical'] as const;
export type PressureLevel = (typeof PRESSURE_LEVELS)[number];

/**
 * pressure index = required / actual. 0 when nothing is required (whatever the staff, even none); null when
 * work is required of zero staff, where the ratio is unbounded and any number would be invented.
 */
export function pressureIndex(requiredFte: number, actualFte: number): number | null {
  requireNonNegative('requiredFte', requiredFte);
  requireNonNegative('actualFte', actualFte);
  if (requiredFte === 0) return 0;
  if (actualFte === 0) return null;
  return requireFiniteResult('pressure index', requiredFte / actualFte);
}

/** What an aggregate index is computed from: Σ required and Σ actual over the communes that have staffing data. */
export type StaffedTotals = {
  readonly requiredFte: number;
  readonly actualFte: number;
};

/**
 * Σ required and Σ actual FTE of the rows that have staffing data (actual not null), summed in the rows' order.
 * A commune without a roster row counts in neither sum, so it never lowers the group's index.
 */
export function staffedTotals(
  rows: Iterable<{ readonly required_fte: number; readonly actual_fte: number | null }>,
): StaffedTotals {
  let requiredFte = 0;
  let actualFte = 0;
  for (const row of rows) {
    if (row.actual_fte === null) continue;
    requiredFte += row.required_fte;
    actualFte += row.actual_fte;
  }
  return { requiredFte, actualFte };
}

/**
 * The aggregate pressure index of a group of communes (a province, the country): Σ required ÷ Σ actual over the
 * communes that have staffing data (`staffedTotals`), not a mean of their indexes. null when they have no staff
 * at all, or when none has staffing data.
 */
export function aggregatePressureIndex(totals: StaffedTotals): number | null {
  return totals.actualFte > 0 ? totals.requiredFte / totals.actualFte : null;
}

function checkThresholds(thresholds: LevelThresholds): void {
  const valid =
    thresholds.length === 4 &&
    thresholds.every((t, i) => Number.isFinite(t) && t >= 0 && (i === 0 || t > (thresholds[i - 1] as number)));
  if (!valid) {
    throw new RangeError(`thresholds must be 4 ascending numbers >= 0, got ${JSON.stringify(thresholds)}`);
  }
}

/**
 * The level of a pressure index; each threshold is the lower bound of the next level (defaults: low < 0.8,
 * normal 0.8 to < 1.0, elevated 1.0 to < 1.2, high 1.2 to < 1.5, critical >= 1.5).
 */
export function pressureLevel(index: number, thresholds: LevelThresholds = DEFAULT_LEVEL_THRESHOLDS): PressureLevel {
  requireNonNegative('index', index);
  checkThresholds(thresholds);
  let level = 0;
  while (level < thresholds.length && index >= (thresholds[level] as number)) level++;
  return PRESSURE_LEVELS[level] as PressureLevel;
}

export type PressureAssessment = {
  /** null with no staffing data, and with zero staff facing work. */
  readonly pressureIndex: number | null;
  /** null only with no staffing data. */
  readonly level: PressureLevel | null;
  /** The roster reports zero staff. */
  readonly noStaff: boolean;
  /** No roster row covers the period: no index and no level, the commune belongs in data quality. */
  readonly missingStaffing: boolean;
};

/**
 * Index and level of one commune and period. actualFte null means no staffing data: the spec gives such a
 * commune no index, never a guessed one. Zero staff with work to do is a real and extreme case, not missing
 * data: no finite index exists, but the level is critical, flagged noStaff.
 */
export function assessPressure(input: {
  readonly requiredFte: number;
  readonly actualFte: number | null;
  readonly thresholds?: LevelThresholds;
}): PressureAssessment {
  const thresholds = input.thresholds ?? DEFAULT_LEVEL_THRESHOLDS;
  requireNonNegative('requiredFte', input.requiredFte);
  checkThresholds(thresholds);
  if (input.actualFte === null) {
    return { pressureIndex: null, level: null, noStaff: false, missingStaffing: true };
  }
  const index = pressureIndex(input.requiredFte, input.actualFte);
  const noStaff = input.actualFte === 0;
  return {
    pressureIndex: index,
    level: index === null ? 'critical' : pressureLevel(index, thresholds),
    noStaff,
    missingStaffing: false,
  };
}

/**
 * backlog_weeks = open / mean weekly resolved (Little's law: weeks to clear the backlog at the recent pace).
 * Uses the last 4 entries of resolvedByWeek (oldest first), or all of them when fewer. 0 with no backlog;
 * null when there is a backlog but nothing was resolved (or no weeks are given): it would never clear.
 */
export function backlogWeeks(open: number, resolvedByWeek: readonly number[]): number | null {
  requireNonNegative('open', open);
  requireAllNonNegative('resolvedByWeek', resolvedByWeek);
  if (open === 0) return 0;
  const recent = resolvedByWeek.slice(-4);
  // Summing shares rather than dividing a sum keeps huge counts from overflowing into a false 0.
  const meanResolved = recent.reduce((acc, r) => acc + r / recent.length, 0);
  if (meanResolved === 0) return null;
  return requireFiniteResult('backlog weeks', open / meanResolved);
}
