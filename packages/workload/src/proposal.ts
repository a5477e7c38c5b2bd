// Staffing proposal (định biên), docs/spec/indicators.md section 5: the staff that keeps a commune's pressure index
// at or below 1.0 in 8 weeks out of 10.

import { requireAllNonNegative, requireFiniteResult, requireNonNegative } from './numeric.ts';

export const PROPOSAL_WEEKS = 52;
export const PROPOSAL_PERCENTILE = 80;

// Floating sums can land a hair above an integer (3.0000000000000004 FTE); that must not demand one more person.
const ROUNDING_TOLERANCE = 1e-9;

/**
 * Nearest-rank percentile: the smallest value v such that at least `percent` % of the values are <= v, i.e. the
 * value of rank ceil(percent / 100 × n) in ascending order. Chosen over interpolation because it is always an
 * observed week and carries the spec's promise directly: staff >= P80 keeps the index <= 1.0 in at least 80 % of
 * the weeks. null for no values.
 */
export function nearestRankPercentile(values: readonly number[], percent: number): number | null {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percent must be in (0, 100], got ${String(percent)}`);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`values[${i}] must be finite, got ${String(v)}`);
  });
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100 - ROUNDING_TOLERANCE));
  return sorted[rank - 1] as number;
}

export type StaffingProposal = {
  /** ceil(P80 of weekly required FTE); null with no weeks. */
  readonly proposedStaff: number | null;
  /** The percentile before rounding. */
  readonly percentileFte: number | null;
  readonly weeksUsed: number;
  readonly actualFte: number | null;
  /** proposedStaff − actualFte (positive: staff short); null when either is missing. */
  readonly gap: number | null;
};

/**
 * The proposal of one commune from its weekly required FTE (oldest first): the nearest-rank 80th percentile of
 * the last 52 weeks, rounded up; with fewer weeks, of those there are.
 */
export function staffingProposal(input: {
  readonly weeklyRequiredFte: readonly number[];
  readonly actualFte: number | null;
  readonly weeks?: number;
  readonly percentile?: number;
}): StaffingProposal {
  const weeks = input.weeks ?? PROPOSAL_WEEKS;
  if (!Number.isSafeInteger(weeks) || weeks < 1) throw new RangeError(`weeks must be an integer >= 1, got ${weeks}`);
  requireAllNonNegative('weeklyRequiredFte', input.weeklyRequiredFte);
  if (input.actualFte !== null) requireNonNegative('actualFte', input.actualFte);
  const recent = input.weeklyRequiredFte.slice(-weeks);
  const percentileFte = nearestRankPercentile(recent, input.percentile ?? PROPOSAL_PERCENTILE);
  const proposedStaff = percentileFte === null ? null : Math.max(0, Math.ceil(percentileFte - ROUNDING_TOLERANCE));
  return {
    proposedStaff,
    percentileFte,
    weeksUsed: recent.length,
    actualFte: input.actualFte,
    gap: proposedStaff === null || input.actualFte === null ? null : proposedStaff - input.actualFte,
  };
}

export type ProposalRow = {
  readonly communeCode: string;
  readonly provinceCode: string;
  readonly proposedStaff: number | null;
  readonly actualFte: number | null;
};

export type ProposalTotal = {
  /** Σ proposals, over communes that have one. */
  readonly proposedStaff: number;
  /** Σ actual FTE, over communes with staffing data. */
  readonly actualFte: number;
  /** Σ (proposed − actual) over communes with both, so a missing side never reads as zero staff. */
  readonly gap: number;
  readonly communes: number;
  readonly communesWithoutProposal: number;
  readonly communesWithoutStaffing: number;
};

export type ProposalTotals = {
  readonly national: ProposalTotal;
  /** Sorted by province code. */
  readonly provinces: readonly (ProposalTotal & { readonly provinceCode: string })[];
};

function totalOf(rows: readonly ProposalRow[]): ProposalTotal {
  let proposedStaff = 0;
  let actualFte = 0;
  let gap = 0;
  let communesWithoutProposal = 0;
  let communesWithoutStaffing = 0;
  for (const row of rows) {
    if (row.proposedStaff === null) communesWithoutProposal++;
    else proposedStaff += requireNonNegative(`proposedStaff of ${row.communeCode}`, row.proposedStaff);
    if (row.actualFte === null) communesWithoutStaffing++;
    else actualFte += requireNonNegative(`actualFte of ${row.communeCode}`, row.actualFte);
    if (row.proposedStaff !== null && row.actualFte !== null) gap += row.proposedStaff - row.actualFte;
  }
  return {
    proposedStaff: requireFiniteResult('total proposed staff', proposedStaff),
    actualFte: requireFiniteResult('total actual FTE', actualFte),
    gap: requireFiniteResult('total gap', gap),
    communes: rows.length,
    communesWithoutProposal,
    communesWithoutStaffing,
  };
}

/** Province and national totals of commune proposals. */
export function proposalTotals(rows: readonly ProposalRow[]): ProposalTotals {
  const byProvince = new Map<string, ProposalRow[]>();
  for (const row of rows) {
    const list = byProvince.get(row.provinceCode);
    if (list === undefined) byProvince.set(row.provinceCode, [row]);
    else list.push(row);
  }
  const provinces = [...byProvince.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([provinceCode, list]) => ({ provinceCode, ...totalOf(list) }));
  return { national: totalOf(rows), provinces };
}
