import { addDays } from '@commune-pulse/reference-data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTransitions, type EpisodeRecord, evaluatePeriod, type Observation, type Transition } from './core.ts';
import { type AlertRule, DEFAULT_RULES, resolveRules } from './rules.ts';

const COMMUNE = '00004';
const FIRST_DAY = '2026-09-01';

function rule(id: string): AlertRule {
  const found = DEFAULT_RULES.find((candidate) => candidate.id === id);
  if (!found) throw new Error(id);
  return found;
}

function observation(
  kind: Observation['period_kind'],
  periodStart: string,
  figures: Partial<Observation>,
): Observation {
  return {
    period_kind: kind,
    period_start: periodStart,
    window_end_ms: Date.parse(`${addDays(periodStart, 7)}T00:00:00+07:00`),
    commune_code: COMMUNE,
    province_code: '01',
    pressure_index: 1,
    level: 'elevated',
    required_fte: 4,
    actual_fte: 4,
    received: 100,
    resolved: 50,
    on_time_rate: 0.9,
    open_end: 20,
    overdue_open: 0,
    backlog_weeks: 0.5,
    run_id: `run-${periodStart}`,
    ...figures,
  };
}

/** Daily rolling rows from FIRST_DAY; null leaves the day without a row (the estimator did not run). */
function dailySeries(values: readonly (Partial<Observation> | null)[]): Map<string, Observation> {
  const series = new Map<string, Observation>();
  values.forEach((figures, index) => {
    const day = addDays(FIRST_DAY, index);
    if (figures) series.set(day, observation('rolling7d', day, figures));
  });
  return series;
}

function pressures(values: readonly (number | null)[]) {
  return dailySeries(values.map((value) => (value === null ? null : { pressure_index: value })));
}

const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

interface Replay {
  transitions: Transition[];
  /** the evaluation period of each transition, for checking when it happened */
  byDay: Map<string, Transition[]>;
  state: Map<string, EpisodeRecord>;
}

/** One evaluation per period, in order, as the alerter does after each daily (or weekly) run. */
function replay(rules: readonly AlertRule[], series: Map<string, Observation>, kind = rules[0]?.period_kind): Replay {
  const state = new Map<string, EpisodeRecord>();
  const transitions: Transition[] = [];
  const byDay = new Map<string, Transition[]>();
  const periods = [...series.keys()].sort();
  for (const period of periods) {
    // Only what was known at that period: later rows do not exist yet.
    const known = new Map([...series].filter(([day]) => day <= period));
    const changed = evaluatePeriod(rules, kind ?? 'rolling7d', period, new Map([[COMMUNE, known]]), state);
    applyTransitions(state, changed);
    transitions.push(...changed);
    if (changed.length > 0) byDay.set(period, changed);
  }
  return { transitions, byDay, state };
}

function summary(result: Replay): string[] {
  return [...result.byDay].flatMap(([day, changes]) =>
    changes.map((change) => `${day} #${change.episode} ${change.from_state}→${change.to_state}`),
  );
}

describe('overloaded: pressure ≥ 1.2 for 14 consecutive days, resolves < 1.1 for 7 consecutive days', () => {
  const overloaded = [rule('overloaded')];

  it('fires on the 14th consecutive day, holds in the 1.1–1.2 band, resolves on the 7th day below 1.1', () => {
    const series = pressures([
      ...repeat(1.0, 5), // 09-01 … 09-05
      ...repeat(1.3, 20), // 09-06 … 09-25: pending on 09-06, firing on 09-19 (the 14th day)
      ...repeat(1.15, 4), // 09-26 … 09-29: between the thresholds, nothing moves
      ...repeat(1.05, 6), // 09-30 … 10-05: six days below 1.1 are not seven
      1.12, // 10-06: breaks the recovery run
      ...repeat(1.0, 7), // 10-07 … 10-13: resolved on 10-13
      ...repeat(1.0, 3),
    ]);
    const result = replay(overloaded, series);
    expect(summary(result)).toEqual([
      '2026-09-06 #1 none→pending',
      '2026-09-19 #1 pending→firing',
      '2026-10-13 #1 firing→resolved',
    ]);
    const firing = result.transitions.find((t) => t.to_state === 'firing');
    expect(firing?.episode_start).toBe('2026-09-06');
    expect(firing?.value).toBe(1.3);
    expect(firing?.threshold).toBe(1.2);
    expect(result.transitions.find((t) => t.to_state === 'resolved')?.threshold).toBe(1.1);
  });

  it('13 days above the threshold do not fire: the pending alert is cancelled and never notified', () => {
    const result = replay(overloaded, pressures([...repeat(1.0, 3), ...repeat(1.25, 13), 1.19, ...repeat(1.0, 5)]));
    expect(summary(result)).toEqual(['2026-09-04 #1 none→pending', '2026-09-17 #1 pending→cancelled']);
  });

  it('a day without a row breaks the 14 days, for firing and for resolving alike', () => {
    const gapBeforeFiring = replay(overloaded, pressures([...repeat(1.3, 10), null, ...repeat(1.3, 13)]));
    expect(gapBeforeFiring.transitions.filter((t) => t.to_state === 'firing')).toHaveLength(0);
    // No run that day, so no evaluation either: the episode stays pending and fires 14 days after the gap.
    const thenOneMore = replay(overloaded, pressures([...repeat(1.3, 10), null, ...repeat(1.3, 14)]));
    expect(summary(thenOneMore)).toEqual(['2026-09-01 #1 none→pending', '2026-09-25 #1 pending→firing']);

    const gapBeforeResolving = replay(
      overloaded,
      pressures([...repeat(1.3, 14), ...repeat(1.0, 3), null, ...repeat(1.0, 6)]),
    );
    expect(gapBeforeResolving.transitions.filter((t) => t.to_state === 'resolved')).toHaveLength(0);
  });

  it('crossing back and forth makes one firing and one resolution per episode, and a new episode after', () => {
    const episode = [...repeat(1.3, 14), ...repeat(1.0, 7)];
    const result = replay(overloaded, pressures([...episode, ...repeat(1.25, 3), 1.0, ...episode, ...episode]));
    const byAlert = new Map<string, string[]>();
    for (const t of result.transitions) byAlert.set(t.alert_id, [...(byAlert.get(t.alert_id) ?? []), t.to_state]);
    expect([...byAlert.values()]).toEqual([
      ['pending', 'firing', 'resolved'],
      ['pending', 'cancelled'],
      ['pending', 'firing', 'resolved'],
      ['pending', 'firing', 'resolved'],
    ]);
    expect(new Set(result.transitions.map((t) => t.transition_id)).size).toBe(result.transitions.length);
  });

  it('a streak already 14 days long when first seen fires at once, from the streak’s first day', () => {
    const series = pressures(repeat(1.4, 16));
    const last = '2026-09-16';
    const changes = evaluatePeriod(overloaded, 'rolling7d', last, new Map([[COMMUNE, series]]), new Map());
    expect(changes.map((t) => `${t.from_state}→${t.to_state} ${t.episode_start}`)).toEqual([
      'none→pending 2026-09-01',
      'pending→firing 2026-09-01',
    ]);
  });
});

describe('evaluating again changes nothing', () => {
  const overloaded = [rule('overloaded')];
  const series = pressures([...repeat(1.3, 20), ...repeat(1.0, 8)]);
  const communes = new Map([[COMMUNE, series]]);

  it('the same period evaluated again (hourly runs of one day, a restart, a retry) makes no new transition', () => {
    const state = new Map<string, EpisodeRecord>();
    for (let day = 0; day < 28; day++) {
      const period = addDays(FIRST_DAY, day);
      applyTransitions(state, evaluatePeriod(overloaded, 'rolling7d', period, communes, state));
      expect(evaluatePeriod(overloaded, 'rolling7d', period, communes, state)).toEqual([]);
    }
  });

  it('two evaluations racing from the same stored state write the same transition ids', () => {
    const state = new Map<string, EpisodeRecord>();
    for (let day = 0; day < 13; day++) {
      const period = addDays(FIRST_DAY, day);
      applyTransitions(state, evaluatePeriod(overloaded, 'rolling7d', period, communes, state));
    }
    const period = addDays(FIRST_DAY, 13);
    const first = evaluatePeriod(overloaded, 'rolling7d', period, communes, new Map(state));
    const second = evaluatePeriod(overloaded, 'rolling7d', period, communes, new Map(state));
    expect(first.map((t) => t.to_state)).toEqual(['firing']);
    expect(second).toEqual(first);
  });

  it('racers that disagree on the episode’s first day (one saw a recomputed period) still name one episode', () => {
    const recomputed = new Map(series);
    recomputed.set(FIRST_DAY, observation('rolling7d', FIRST_DAY, { pressure_index: 1.0 }));
    const period = addDays(FIRST_DAY, 14);
    const a = evaluatePeriod(overloaded, 'rolling7d', period, communes, new Map());
    const b = evaluatePeriod(overloaded, 'rolling7d', period, new Map([[COMMUNE, recomputed]]), new Map());
    expect(a.map((t) => t.episode_start)).toEqual(['2026-09-01', '2026-09-01']);
    expect(b.map((t) => t.episode_start)).toEqual(['2026-09-02', '2026-09-02']);
    expect(b.map((t) => t.transition_id)).toEqual(a.map((t) => t.transition_id));
  });

  it('a recomputed period older than the episode’s latest change moves nothing', () => {
    const state = replay(overloaded, pressures(repeat(1.3, 15))).state;
    const old = new Map(series);
    old.set('2026-09-03', observation('rolling7d', '2026-09-03', { pressure_index: 0.5 }));
    expect(evaluatePeriod(overloaded, 'rolling7d', '2026-09-03', new Map([[COMMUNE, old]]), state)).toEqual([]);
  });
});

describe('the other default rules', () => {
  it('critical_overload fires at the first window ≥ 1.5 and resolves at the first below 1.3, not at 1.4', () => {
    const result = replay([rule('critical_overload')], pressures([1.2, 1.5, 1.7, 1.4, 1.35, 1.29, 1.3, 1.49, 1.6]));
    expect(summary(result)).toEqual([
      '2026-09-02 #1 none→pending',
      '2026-09-02 #1 pending→firing',
      '2026-09-06 #1 firing→resolved',
      '2026-09-09 #2 none→pending',
      '2026-09-09 #2 pending→firing',
    ]);
  });

  it('a commune without staffing data (no index) neither fires nor resolves', () => {
    const result = replay([rule('critical_overload')], pressures([1.6, null, null]));
    const withoutIndex = dailySeries([{ pressure_index: 1.6 }, { pressure_index: null }, { pressure_index: null }]);
    expect(summary(replay([rule('critical_overload')], withoutIndex))).toEqual(summary(result));
    expect(result.state.get(`critical_overload:${COMMUNE}`)?.state).toBe('firing');
  });

  it('deadline_slippage needs 20 resolved in the window, and resolves at 85 % on time', () => {
    const result = replay(
      [rule('deadline_slippage')],
      dailySeries([
        { on_time_rate: 0.5, resolved: 19 }, // too few to say anything
        { on_time_rate: 0.79, resolved: 20 }, // fires
        { on_time_rate: 0.84, resolved: 30 }, // between 80 and 85 %: stays
        { on_time_rate: null, resolved: 0 }, // nothing resolved: no evidence either way
        { on_time_rate: 0.85, resolved: 4 }, // resolves
        { on_time_rate: 0.7, resolved: 10 },
      ]),
    );
    expect(summary(result)).toEqual([
      '2026-09-02 #1 none→pending',
      '2026-09-02 #1 pending→firing',
      '2026-09-05 #1 firing→resolved',
    ]);
    expect(result.transitions[1]?.figures.resolved).toBe(20);
  });

  it('backlog_growth: the backlog grew 4 weeks running and backlog_weeks > 2; resolves at ≤ 1.5', () => {
    const weeks = (rows: readonly Partial<Observation>[]) =>
      new Map(
        rows.map((figures, i) => [
          addDays('2026-08-03', 7 * i),
          observation('week', addDays('2026-08-03', 7 * i), figures),
        ]),
      );
    const backlog = [rule('backlog_growth')];
    const grew = replay(
      backlog,
      weeks([
        { open_end: 100, backlog_weeks: 2.5 },
        { open_end: 110, backlog_weeks: 2.6 },
        { open_end: 120, backlog_weeks: 2.7 },
        { open_end: 130, backlog_weeks: 2.8 }, // three weeks of growth: not yet
        { open_end: 140, backlog_weeks: 2.9 }, // four: fires
        { open_end: 150, backlog_weeks: 1.6 }, // above 1.5: stays
        { open_end: 90, backlog_weeks: 1.5 }, // resolves
      ]),
    );
    expect(summary(grew)).toEqual([
      '2026-08-31 #1 none→pending',
      '2026-08-31 #1 pending→firing',
      '2026-09-14 #1 firing→resolved',
    ]);

    const flatWeek = replay(
      backlog,
      weeks([100, 110, 110, 130, 140].map((open) => ({ open_end: open, backlog_weeks: 3 }))),
    );
    expect(flatWeek.transitions).toEqual([]);

    // Nothing resolved at all: backlog_weeks is null and the backlog would never clear.
    const stuck = replay(backlog, weeks([10, 20, 30, 40, 50].map((open) => ({ open_end: open, backlog_weeks: null }))));
    expect(stuck.transitions.map((t) => t.to_state)).toEqual(['pending', 'firing']);
    expect(stuck.transitions[1]?.value).toBeNull();
  });

  it('a rules file overrides thresholds and durations by id, and can turn a rule off', () => {
    const rules = resolveRules({
      rules: [
        { id: 'overloaded', fire: { for_days: 3 } },
        { id: 'critical_overload', enabled: false },
      ],
    });
    const overloaded = rules.find((r) => r.id === 'overloaded');
    expect(overloaded?.fire).toEqual({ op: '>=', value: 1.2, for_days: 3 });
    expect(
      summary(
        replay(
          rules.filter((r) => r.period_kind === 'rolling7d'),
          pressures(repeat(1.6, 3)),
        ),
      ),
    ).toEqual(['2026-09-01 #1 none→pending', '2026-09-03 #1 pending→firing']);
    expect(() => resolveRules({ rules: [{ id: 'overloaded', fire: { op: '=>' } }] })).toThrow(/overloaded/);
    expect(() => resolveRules({ rules: [{ id: 'new_rule', level: 'high' }] })).toThrow(/new_rule/);
  });
});

describe('over any series of pressures', () => {
  it('fires only after 14 days ≥ 1.2, resolves only after 7 days < 1.1, once each per episode', () => {
    const overloaded = rule('overloaded');
    fc.assert(
      fc.property(
        // Runs of equal days, so that long streaks above and below the thresholds are common.
        fc.array(
          fc.record({
            value: fc.constantFrom(0.9, 1.05, 1.1, 1.15, 1.2, 1.3, 1.6, null),
            days: fc.integer({ min: 1, max: 16 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (runs) => {
          const series = pressures(runs.flatMap((run) => repeat(run.value, run.days)));
          const result = replay([overloaded], series);
          const states = new Map<string, string[]>();
          for (const t of result.transitions) states.set(t.alert_id, [...(states.get(t.alert_id) ?? []), t.to_state]);
          for (const sequence of states.values()) {
            expect([
              ['pending'],
              ['pending', 'cancelled'],
              ['pending', 'firing'],
              ['pending', 'firing', 'resolved'],
            ]).toContainEqual(sequence);
          }
          for (const [day, changes] of result.byDay) {
            for (const change of changes) {
              const window = (days: number) =>
                Array.from({ length: days }, (_, back) => series.get(addDays(day, -back))?.pressure_index ?? null);
              if (change.to_state === 'firing') expect(window(14).every((v) => v !== null && v >= 1.2)).toBe(true);
              if (change.to_state === 'resolved') expect(window(7).every((v) => v !== null && v < 1.1)).toBe(true);
            }
          }
          // An episode opens only when the one before it closed.
          const episodes = result.transitions.filter((t) => t.to_state === 'pending').map((t) => t.episode);
          expect(episodes).toEqual(episodes.map((_, i) => i + 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
