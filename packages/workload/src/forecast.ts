// Next week's received dossiers per commune (docs/spec/indicators.md section 5): Holt-Winters with weekday
// seasonality on daily counts, seasonal-naive on short history, and the error of past one-week-ahead forecasts.

import { requireAllNonNegative, requireFiniteResult, requireNonNegativeInteger } from './numeric.ts';

export const SEASON_LENGTH = 7;

export type SimpleSmoothing = {
  /**
   * NIST/SEMATECH 6.4.3.1 indexing: smoothed[t] is S_{t+1}, the smoothed value for the series' t-th element
   * (0-based) made from the elements before it. smoothed[0] is null because NIST has no S_1, and smoothed[1]
   * is y_1 (S_2 = y_1).
   */
  readonly smoothed: readonly (number | null)[];
  /** S_{n+1} = α·y_n + (1 − α)·S_n, the forecast of the element after the series; null for an empty series. */
  readonly nextForecast: number | null;
};

/** Single exponential smoothing as NIST/SEMATECH 6.4.3.1 defines it: S_2 = y_1, S_t = α·y_{t−1} + (1 − α)·S_{t−1}. */
export function simpleExponentialSmoothing(series: readonly number[], alpha: number): SimpleSmoothing {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${String(alpha)}`);
  series.forEach((y, i) => {
    if (!Number.isFinite(y)) throw new RangeError(`series[${i}] must be finite, got ${String(y)}`);
  });
  const smoothed: (number | null)[] = [];
  let s: number | null = null;
  for (const [i, y] of series.entries()) {
    smoothed.push(s);
    s = i === 0 ? y : requireFiniteResult('smoothed value', alpha * y + (1 - alpha) * (s as number));
  }
  return { smoothed, nextForecast: s };
}

export type HoltWintersConstants = {
  /** Level smoothing, in (0, 1]. */
  readonly alpha: number;
  /** Trend smoothing in [0, 1], or null for a model without trend. */
  readonly beta: number | null;
  /** Seasonal smoothing, in [0, 1]. */
  readonly gamma: number;
};

/** Used when there is no error to choose by (two seasons exactly). */
export const DEFAULT_HOLT_WINTERS_CONSTANTS: HoltWintersConstants = Object.freeze({
  alpha: 0.2,
  beta: null,
  gamma: 0.1,
});

// Small on purpose: daily counts of a commune are small and noisy, and the grid is run for each of 3,321
// communes. A trend-free variant is in the grid because a trend fitted on a few weeks of noise extrapolates badly.
const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5] as const;
const BETAS = [null, 0.02, 0.1] as const;
const GAMMAS = [0.05, 0.1, 0.2, 0.3] as const;
const CONSTANTS_GRID: readonly HoltWintersConstants[] = ALPHAS.flatMap((alpha) =>
  BETAS.flatMap((beta) => GAMMAS.map((gamma) => ({ alpha, beta, gamma }))),
);

const DEFAULT_ERROR_WEEKS = 8;

function mean(values: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i] as number;
  return sum / (to - from);
}

type HoltWintersRun = {
  /** Sum of squared one-step errors from the third season on, the part no initial estimate has seen. */
  readonly sse: number;
  /** Daily forecasts (clamped at 0) of the SEASON_LENGTH days after the series. */
  readonly nextDays: readonly number[];
  /** Weekly totals forecast from each requested origin, keyed by origin index. */
  readonly totalsFromOrigin: ReadonlyMap<number, number>;
};

/**
 * Additive Holt-Winters, season m = 7. Initial level: mean of the first season; initial trend: difference of the
 * first two seasons' means over m (0 without trend); initial seasonal terms: first season minus its mean.
 * Needs at least 2m values.
 */
function runHoltWinters(y: readonly number[], k: HoltWintersConstants, origins: ReadonlySet<number>): HoltWintersRun {
  const m = SEASON_LENGTH;
  const n = y.length;
  let level = mean(y, 0, m);
  let trend = k.beta === null ? 0 : (mean(y, m, 2 * m) - level) / m;
  const season = Array.from({ length: m }, (_, i) => (y[i] as number) - level);
  const totalsFromOrigin = new Map<number, number>();
  // Daily forecasts for the m days after index `last`, from the current state.
  const forecastAhead = (last: number): number[] =>
    Array.from({ length: m }, (_, h) => Math.max(0, level + (h + 1) * trend + (season[(last + 1 + h) % m] as number)));
  let sse = 0;
  for (let t = m; t < n; t++) {
    if (origins.has(t)) totalsFromOrigin.set(t, sum(forecastAhead(t - 1)));
    const yt = y[t] as number;
    const slot = t % m;
    const seasonal = season[slot] as number;
    if (t >= 2 * m) {
      const error = yt - (level + trend + seasonal);
      sse += error * error;
    }
    const newLevel = k.alpha * (yt - seasonal) + (1 - k.alpha) * (level + trend);
    if (k.beta !== null) trend = k.beta * (newLevel - level) + (1 - k.beta) * trend;
    season[slot] = k.gamma * (yt - newLevel) + (1 - k.gamma) * seasonal;
    level = newLevel;
  }
  return { sse, nextDays: forecastAhead(n - 1), totalsFromOrigin };
}

function sum(values: readonly number[]): number {
  return values.reduce((acc, v) => acc + v, 0);
}

export type ForecastMethod = 'holt-winters-additive' | 'seasonal-naive' | 'insufficient-history';

export type PastForecastError = {
  /** Mean absolute error of the weekly total, in dossiers; null when no past week could be scored. */
  readonly mae: number | null;
  /** Mean absolute percentage error of the weekly total, in percent, over scored weeks with receipts; else null. */
  readonly mape: number | null;
  /** Past weeks scored. */
  readonly weeks: number;
};

export type WeeklyForecast = {
  readonly method: ForecastMethod;
  /** Σ nextDays; null with less than one week of history. */
  readonly nextWeekTotal: number | null;
  /** The 7 days after the last observation (the next week when the history ends on a Sunday). */
  readonly nextDays: readonly number[] | null;
  /** The smoothing constants used, for holt-winters-additive. */
  readonly constants: HoltWintersConstants | null;
  readonly pastError: PastForecastError;
};

export type ForecastOptions = {
  /** How many of the latest weeks to score; default 8. */
  readonly errorWeeks?: number;
  /** Fixed smoothing constants instead of the grid search. */
  readonly constants?: HoltWintersConstants;
};

function checkConstants(k: HoltWintersConstants): void {
  const inUnit = (v: number) => v >= 0 && v <= 1;
  if (!(k.alpha > 0 && k.alpha <= 1) || !(k.beta === null || inUnit(k.beta)) || !inUnit(k.gamma)) {
    throw new RangeError(
      `Holt-Winters constants must have alpha in (0, 1], beta null or in [0, 1], gamma in [0, 1]; got ${JSON.stringify(k)}`,
    );
  }
}

const NO_ERROR: PastForecastError = Object.freeze({ mae: null, mape: null, weeks: 0 });

/**
 * Forecasts the next 7 days of received dossiers from daily counts (oldest first; aligning index 0 to a Monday
 * makes the 7 days an ISO week when the history ends on a Sunday).
 *
 * - 14 days or more: additive Holt-Winters, season 7. Additive because weekend days are often 0, where
 *   multiplicative seasonal factors break down. Unless `constants` is given, the constants minimise the squared
 *   one-step-ahead daily errors over the history (a 60-point grid; ties keep the earlier point).
 * - 7 to 13 days: seasonal-naive, the last 7 days repeated.
 * - fewer than 7 days: no forecast (nulls), never a guessed one.
 *
 * pastError scores one-week-ahead forecasts of the weekly total for the latest `errorWeeks` 7-day blocks ending
 * at the series' end, each made from the model state before the block. Blocks starting before day 14 are not
 * scored (the initial estimates have seen them). The constants are chosen on the whole history, so the error is
 * slightly optimistic; seasonal-naive forecasts are never scored, as no earlier full week precedes their block.
 * Daily forecasts are clamped at 0, in the past-week forecasts too.
 */
export function forecastNextWeek(dailyReceived: readonly number[], options: ForecastOptions = {}): WeeklyForecast {
  requireAllNonNegative('dailyReceived', dailyReceived);
  const errorWeeks = requireNonNegativeInteger('errorWeeks', options.errorWeeks ?? DEFAULT_ERROR_WEEKS);
  if (options.constants !== undefined) checkConstants(options.constants);
  const n = dailyReceived.length;
  const m = SEASON_LENGTH;

  if (n < m) {
    return {
      method: 'insufficient-history',
      nextWeekTotal: null,
      nextDays: null,
      constants: null,
      pastError: NO_ERROR,
    };
  }
  if (n < 2 * m) {
    const nextDays = dailyReceived.slice(n - m);
    return {
      method: 'seasonal-naive',
      nextWeekTotal: requireFiniteResult('forecast total', sum(nextDays)),
      nextDays,
      constants: null,
      pastError: NO_ERROR,
    };
  }

  const origins = new Set<number>();
  for (let w = 1; w <= errorWeeks; w++) {
    const origin = n - w * m;
    if (origin < 2 * m) break;
    origins.add(origin);
  }
  let constants = options.constants ?? DEFAULT_HOLT_WINTERS_CONSTANTS;
  if (options.constants === undefined && n > 2 * m) {
    let best = Number.POSITIVE_INFINITY;
    for (const k of CONSTANTS_GRID) {
      const { sse } = runHoltWinters(dailyReceived, k, new Set());
      if (sse < best) {
        best = sse;
        constants = k;
      }
    }
  }
  const run = runHoltWinters(dailyReceived, constants, origins);

  let absoluteSum = 0;
  let percentSum = 0;
  let percentWeeks = 0;
  for (const [origin, forecastTotal] of run.totalsFromOrigin) {
    const actual = sum(dailyReceived.slice(origin, origin + m));
    const absoluteError = Math.abs(forecastTotal - actual);
    absoluteSum += absoluteError;
    if (actual > 0) {
      percentSum += (absoluteError / actual) * 100;
      percentWeeks++;
    }
  }
  const weeks = run.totalsFromOrigin.size;
  const pastError: PastForecastError = {
    mae: weeks === 0 ? null : requireFiniteResult('forecast MAE', absoluteSum / weeks),
    mape: percentWeeks === 0 ? null : requireFiniteResult('forecast MAPE', percentSum / percentWeeks),
    weeks,
  };
  const nextDays = run.nextDays.map((v) => requireFiniteResult('daily forecast', v));
  return {
    method: 'holt-winters-additive',
    nextWeekTotal: requireFiniteResult('forecast total', sum(nextDays)),
    nextDays,
    constants,
    pastError,
  };
}
