import { createHash } from 'node:crypto';
import { formatDay, parseDay } from '@commune-pulse/reference-data';
import {
  type AlertLevel,
  type AlertRule,
  type Comparison,
  type Condition,
  type PeriodKind,
  periodsRequired,
} from './rules.ts';

// The pure core: rule conditions over indicator series and the alert state machine. No I/O, no clock.

export type AlertState = 'pending' | 'firing' | 'resolved' | 'cancelled';

/** One commune's indicator row for one period (the latest run of that period), as the rules read it. */
export interface Observation {
  period_kind: PeriodKind;
  /** rolling7d: the window's first day, one row per day; week: the Monday */
  period_start: string;
  window_end_ms: number;
  commune_code: string;
  province_code: string;
  pressure_index: number | null;
  level: string | null;
  required_fte: number;
  actual_fte: number | null;
  received: number;
  /** dossiers resolved in the window, when loaded (rules with min_resolved need it) */
  resolved: number | null;
  on_time_rate: number | null;
  open_end: number;
  overdue_open: number;
  backlog_weeks: number | null;
  run_id: string;
}

/** The latest episode of a (rule, commune) key, as stored. */
export interface EpisodeRecord {
  alert_id: string;
  rule: string;
  commune_code: string;
  episode: number;
  episode_start: string;
  state: AlertState;
  /** the latest period a transition of this episode was made at */
  last_period_start: string;
}

export interface Figures {
  pressure_index: number | null;
  pressure_level: string | null;
  required_fte: number;
  actual_fte: number | null;
  received: number;
  resolved: number | null;
  on_time_rate: number | null;
  open_end: number;
  overdue_open: number;
  backlog_weeks: number | null;
}

export interface Transition {
  transition_id: string;
  alert_id: string;
  rule: string;
  level: AlertLevel;
  commune_code: string;
  province_code: string;
  episode: number;
  episode_start: string;
  from_state: AlertState | 'none';
  to_state: AlertState;
  period_kind: PeriodKind;
  period_start: string;
  window_end_ms: number;
  value: number | null;
  threshold: number;
  figures: Figures;
  run_id: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * An alert is one episode of a rule on a commune: the n-th time the rule's condition started to hold there.
 * The id is a hash of (rule, commune, n) rather than of the episode's first day, so that two evaluations that
 * disagree on the first day (one saw a recomputed period, the other not) still name the same episode.
 */
export function alertId(rule: string, communeCode: string, episode: number): string {
  return sha256(`alert\u0000${rule}\u0000${communeCode}\u0000${episode}`).slice(0, 16);
}

/** One id per (episode, state): an episode can enter each state once, so it fires once and resolves once. */
export function transitionId(alert: string, toState: AlertState): string {
  return sha256(`transition\u0000${alert}\u0000${toState}`).slice(0, 32);
}

/** What a receiver can deduplicate on: one delivery of one state change to one recipient. */
export function deliveryId(transition: string, recipient: string): string {
  return sha256(`delivery\u0000${transition}\u0000${recipient}`).slice(0, 32);
}

function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/** The rule's measure in a period. A backlog that nothing resolves has no backlog_weeks: it never clears. */
export function metricValue(rule: AlertRule, observation: Observation): number | null {
  switch (rule.metric) {
    case 'pressure_index':
      return observation.pressure_index;
    case 'on_time_rate':
      return observation.on_time_rate;
    case 'backlog_weeks':
      return observation.backlog_weeks ?? (observation.open_end > 0 ? Number.POSITIVE_INFINITY : 0);
  }
}

/** One commune's rows of one period kind, by period_start. */
export type Series = ReadonlyMap<string, Observation>;

function stepDays(kind: PeriodKind): number {
  return kind === 'week' ? 7 : 1;
}

function shift(periodStart: string, days: number): string {
  return formatDay(parseDay(periodStart) + days);
}

/** Whether a condition holds in one period; without data (no row, no index, no rate) it does not. */
export function holdsAt(rule: AlertRule, condition: Condition, series: Series, periodStart: string): boolean {
  const observation = series.get(periodStart);
  if (!observation) return false;
  const value = metricValue(rule, observation);
  if (value === null || !compare(value, condition.op, condition.value)) return false;
  if (condition.min_resolved !== undefined) {
    if (observation.resolved === null || observation.resolved < condition.min_resolved) return false;
  }
  if (condition.backlog_growth_weeks !== undefined) {
    for (let week = 0; week < condition.backlog_growth_weeks; week++) {
      const later = series.get(shift(periodStart, -7 * week));
      const earlier = series.get(shift(periodStart, -7 * (week + 1)));
      if (!later || !earlier || later.open_end <= earlier.open_end) return false;
    }
  }
  return true;
}

/** Whether a condition held in each of the periods its `for_days` asks for, ending at `periodStart`. */
export function holdsFor(rule: AlertRule, condition: Condition, series: Series, periodStart: string): boolean {
  const periods = periodsRequired(rule.period_kind, condition.for_days);
  for (let back = 0; back < periods; back++) {
    if (!holdsAt(rule, condition, series, shift(periodStart, -back * stepDays(rule.period_kind)))) return false;
  }
  return true;
}

/** How many periods of history a rule needs behind the evaluated one. */
export function lookbackPeriods(rule: AlertRule): number {
  const growth = (condition: Condition) =>
    condition.backlog_growth_weeks === undefined
      ? 0
      : (condition.backlog_growth_weeks * 7) / stepDays(rule.period_kind);
  return Math.max(
    periodsRequired(rule.period_kind, rule.fire.for_days) - 1 + growth(rule.fire),
    periodsRequired(rule.period_kind, rule.resolve.for_days) - 1 + growth(rule.resolve),
  );
}

function figuresOf(observation: Observation): Figures {
  return {
    pressure_index: observation.pressure_index,
    pressure_level: observation.level,
    required_fte: observation.required_fte,
    actual_fte: observation.actual_fte,
    received: observation.received,
    resolved: observation.resolved,
    on_time_rate: observation.on_time_rate,
    open_end: observation.open_end,
    overdue_open: observation.overdue_open,
    backlog_weeks: observation.backlog_weeks,
  };
}

/**
 * The state machine of one (rule, commune) key, advanced by the period `periodStart`:
 *
 *   (none | resolved | cancelled) --condition holds now--> pending --held for `fire.for_days`--> firing
 *   pending --condition no longer holds--> cancelled        firing --`resolve` held for its days--> resolved
 *
 * pending and firing can happen in the same period (no `for`, or a streak already long enough when first
 * seen). A period older than the episode's latest transition moves nothing (a recomputed past period). The
 * result depends only on the series and the stored episode, never on when or how often it runs.
 */
export function step(rule: AlertRule, series: Series, periodStart: string, latest: EpisodeRecord | null): Transition[] {
  const observation = series.get(periodStart);
  if (!observation || !rule.enabled) return [];
  if (latest && latest.last_period_start > periodStart) return [];
  const transition = (
    episode: number,
    episodeStart: string,
    from: AlertState | 'none',
    to: AlertState,
    threshold: number,
  ): Transition => {
    const id = alertId(rule.id, observation.commune_code, episode);
    const value = metricValue(rule, observation);
    return {
      transition_id: transitionId(id, to),
      alert_id: id,
      rule: rule.id,
      level: rule.level,
      commune_code: observation.commune_code,
      province_code: observation.province_code,
      episode,
      episode_start: episodeStart,
      from_state: from,
      to_state: to,
      period_kind: rule.period_kind,
      period_start: periodStart,
      window_end_ms: observation.window_end_ms,
      value: value === null || Number.isFinite(value) ? value : null,
      threshold,
      figures: figuresOf(observation),
      run_id: observation.run_id,
    };
  };

  const open = latest && (latest.state === 'pending' || latest.state === 'firing') ? latest : null;
  if (!open) {
    if (!holdsAt(rule, rule.fire, series, periodStart)) return [];
    // The episode began where the current unbroken streak began, as far back as the loaded rows go.
    let start = periodStart;
    const stride = stepDays(rule.period_kind);
    while (holdsAt(rule, rule.fire, series, shift(start, -stride))) start = shift(start, -stride);
    const episode = (latest?.episode ?? 0) + 1;
    const pending = transition(episode, start, 'none', 'pending', rule.fire.value);
    if (!holdsFor(rule, rule.fire, series, periodStart)) return [pending];
    return [pending, transition(episode, start, 'pending', 'firing', rule.fire.value)];
  }
  if (open.state === 'pending') {
    if (holdsFor(rule, rule.fire, series, periodStart)) {
      return [transition(open.episode, open.episode_start, 'pending', 'firing', rule.fire.value)];
    }
    if (!holdsAt(rule, rule.fire, series, periodStart)) {
      return [transition(open.episode, open.episode_start, 'pending', 'cancelled', rule.fire.value)];
    }
    return [];
  }
  if (holdsFor(rule, rule.resolve, series, periodStart)) {
    return [transition(open.episode, open.episode_start, 'firing', 'resolved', rule.resolve.value)];
  }
  return [];
}

/** Every rule of the period's kind over every commune that has a row in the period. */
export function evaluatePeriod(
  rules: readonly AlertRule[],
  periodKind: PeriodKind,
  periodStart: string,
  seriesByCommune: ReadonlyMap<string, Series>,
  latestByKey: ReadonlyMap<string, EpisodeRecord>,
): Transition[] {
  const transitions: Transition[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.period_kind !== periodKind) continue;
    for (const [commune, series] of seriesByCommune) {
      transitions.push(...step(rule, series, periodStart, latestByKey.get(episodeKey(rule.id, commune)) ?? null));
    }
  }
  return transitions;
}

export function episodeKey(rule: string, communeCode: string): string {
  return `${rule}:${communeCode}`;
}

/** The stored state after transitions, as the next evaluation will read it back (for in-memory replays). */
export function applyTransitions(
  latestByKey: Map<string, EpisodeRecord>,
  transitions: readonly Transition[],
): Map<string, EpisodeRecord> {
  for (const transition of transitions) {
    latestByKey.set(episodeKey(transition.rule, transition.commune_code), {
      alert_id: transition.alert_id,
      rule: transition.rule,
      commune_code: transition.commune_code,
      episode: transition.episode,
      episode_start: transition.episode_start,
      state: transition.to_state,
      last_period_start: transition.period_start,
    });
  }
  return latestByKey;
}
