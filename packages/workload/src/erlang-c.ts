// Counter staffing with the Erlang C queue (docs/spec/indicators.md section 3). Everything goes through the Erlang B
// recursion, never factorials or powers of A, so it stays exact enough and finite for loads in the thousands.

import { requireFiniteResult, requireNonNegative, requireNonNegativeInteger } from './numeric.ts';

/**
 * Loads above this are no commune's counter hall; refusing them keeps every loop short (the recursion is
 * linear in the number of counters).
 */
export const MAX_OFFERED_LOAD = 100_000;

/** Rows shown past the answer, so a reader sees what one more counter would buy. */
export const ROWS_BEYOND_ANSWER = 1;

/** How far past the load the search looks when the caller sets no limit. */
const DEFAULT_SEARCH_SPAN = 10_000;

function checkLoad(offeredLoad: number): number {
  requireNonNegative('offeredLoad', offeredLoad);
  if (offeredLoad > MAX_OFFERED_LOAD) {
    throw new RangeError(`offeredLoad must be <= ${MAX_OFFERED_LOAD} Erlangs, got ${offeredLoad}`);
  }
  return offeredLoad;
}

/** One step of B_n = A·B_{n−1} / (n + A·B_{n−1}). */
function nextErlangB(n: number, offeredLoad: number, previous: number): number {
  const x = offeredLoad * previous;
  return x / (n + x);
}

/** Erlang B blocking probability B(N, A) by the recursion from B_0 = 1. */
export function erlangB(servers: number, offeredLoad: number): number {
  requireNonNegativeInteger('servers', servers);
  checkLoad(offeredLoad);
  let b = 1;
  for (let n = 1; n <= servers; n++) b = nextErlangB(n, offeredLoad, b);
  return b;
}

/**
 * C(N, A) from B(N, A). With no load nobody waits (0); with N <= A the queue never empties (1).
 */
function erlangCFromB(servers: number, offeredLoad: number, b: number): number {
  if (offeredLoad === 0) return 0;
  if (servers <= offeredLoad) return 1;
  return (servers * b) / (servers - offeredLoad * (1 - b));
}

/** Probability that an arrival waits, C(N, A) = N·B_N / (N − A(1 − B_N)) for N > A; 1 for N <= A; 0 for A = 0. */
export function erlangC(servers: number, offeredLoad: number): number {
  return erlangCFromB(servers, offeredLoad, erlangB(servers, offeredLoad));
}

function serviceLevelFromC(
  servers: number,
  offeredLoad: number,
  c: number,
  handlingTime: number,
  targetTime: number,
): number {
  if (offeredLoad === 0) return 1;
  if (servers <= offeredLoad) return 0;
  // (N − A)·t / AHT may overflow to Infinity for tiny AHT; e^−∞ = 0 is the right limit.
  return 1 - c * Math.exp((-(servers - offeredLoad) * targetTime) / handlingTime);
}

function checkTimes(offeredLoad: number, handlingTime: number, targetTime?: number): void {
  requireNonNegative('handlingTime', handlingTime);
  if (targetTime !== undefined) requireNonNegative('targetTime', targetTime);
  if (offeredLoad > 0 && handlingTime === 0) {
    throw new RangeError('handlingTime must be > 0 when offeredLoad > 0 (A = λ × AHT)');
  }
}

/**
 * Share of arrivals served within targetTime: SL = 1 − C·e^{−(N − A)·t / AHT}; 0 when N <= A (the queue grows
 * without bound), 1 with no load. handlingTime and targetTime in the same unit.
 */
export function serviceLevel(servers: number, offeredLoad: number, handlingTime: number, targetTime: number): number {
  checkTimes(offeredLoad, handlingTime, targetTime);
  return serviceLevelFromC(servers, offeredLoad, erlangC(servers, offeredLoad), handlingTime, targetTime);
}

function asaFromC(servers: number, offeredLoad: number, c: number, handlingTime: number): number | null {
  if (offeredLoad === 0) return 0;
  if (servers <= offeredLoad) return null;
  return requireFiniteResult('average wait', (c * handlingTime) / (servers - offeredLoad));
}

/**
 * Average wait ASA = C·AHT / (N − A), in the unit of handlingTime. null when N <= A: the wait grows without
 * bound, and no finite number describes it. 0 with no load.
 */
export function averageSpeedOfAnswer(servers: number, offeredLoad: number, handlingTime: number): number | null {
  checkTimes(offeredLoad, handlingTime);
  return asaFromC(servers, offeredLoad, erlangC(servers, offeredLoad), handlingTime);
}

function occupancyOf(servers: number, offeredLoad: number): number | null {
  if (servers === 0) return null;
  return Math.min(1, offeredLoad / servers);
}

/**
 * Counter occupancy A / N. Capped at 1 because with N <= A every counter is busy all the time; null with no
 * counters, where there is nothing to occupy.
 */
export function occupancy(servers: number, offeredLoad: number): number | null {
  requireNonNegativeInteger('servers', servers);
  checkLoad(offeredLoad);
  return occupancyOf(servers, offeredLoad);
}

/** Offered load A = λ × AHT in Erlangs, λ per hour and AHT in minutes. */
export function offeredLoad(arrivalsPerHour: number, handlingMinutes: number): number {
  requireNonNegative('arrivalsPerHour', arrivalsPerHour);
  requireNonNegative('handlingMinutes', handlingMinutes);
  return checkLoad(requireFiniteResult('offered load', (arrivalsPerHour * handlingMinutes) / 60));
}

export type CounterRow = {
  readonly counters: number;
  readonly probabilityOfWaiting: number;
  readonly serviceLevel: number;
  /** Minutes; null when counters <= load (unbounded wait). */
  readonly averageWaitMinutes: number | null;
  /** null with no counters. */
  readonly occupancy: number | null;
};

export type CounterStaffing = {
  /** A in Erlangs. */
  readonly offeredLoad: number;
  /** The smallest N > A meeting the target (0 with no load); null when maxCounters is reached first. */
  readonly countersNeeded: number | null;
  /** From the smallest N > A (0 with no load) to ROWS_BEYOND_ANSWER past the answer, or to maxCounters. */
  readonly rows: readonly CounterRow[];
};

export type CountersNeededInput = {
  readonly arrivalsPerHour: number;
  readonly handlingMinutes: number;
  /** In (0, 1). */
  readonly targetServiceLevel: number;
  readonly withinMinutes: number;
  /** Search bound; by default 10,000 counters past the load. */
  readonly maxCounters?: number;
};

/** Counters needed: the smallest N > A with SL(t) >= target, with the table that led to it. */
export function countersNeeded(input: CountersNeededInput): CounterStaffing {
  const a = offeredLoad(input.arrivalsPerHour, input.handlingMinutes);
  const aht = input.handlingMinutes;
  const t = requireNonNegative('withinMinutes', input.withinMinutes);
  const target = input.targetServiceLevel;
  if (!(target > 0 && target < 1)) {
    throw new RangeError(`targetServiceLevel must be between 0 and 1 (exclusive), got ${String(target)}`);
  }
  const first = a === 0 ? 0 : Math.floor(a) + 1;
  const limit =
    input.maxCounters === undefined
      ? first + DEFAULT_SEARCH_SPAN
      : requireNonNegativeInteger('maxCounters', input.maxCounters);

  const rowAt = (n: number, b: number): CounterRow => {
    const c = erlangCFromB(n, a, b);
    return {
      counters: n,
      probabilityOfWaiting: c,
      serviceLevel: serviceLevelFromC(n, a, c, aht, t),
      averageWaitMinutes: asaFromC(n, a, c, aht),
      occupancy: occupancyOf(n, a),
    };
  };

  if (first > limit) return { offeredLoad: a, countersNeeded: null, rows: [] };
  let b = 1;
  for (let n = 1; n <= first; n++) b = nextErlangB(n, a, b);
  const rows: CounterRow[] = [];
  let answer: number | null = null;
  for (let n = first; ; n++) {
    if (n > first) b = nextErlangB(n, a, b);
    const row = rowAt(n, b);
    rows.push(row);
    if (answer === null && row.serviceLevel >= target) answer = n;
    if (n >= (answer === null ? limit : answer + ROWS_BEYOND_ANSWER)) break;
  }
  return { offeredLoad: a, countersNeeded: answer, rows };
}
