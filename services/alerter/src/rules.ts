import { readFileSync } from 'node:fs';
import { ALERT_LEVELS } from '@commune-pulse/contracts';
import { ConfigError, formatIssues } from '@commune-pulse/runtime';
import { z } from 'zod';

export type PeriodKind = 'week' | 'rolling7d';
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const METRICS = ['pressure_index', 'on_time_rate', 'backlog_weeks'] as const;
export type Metric = (typeof METRICS)[number];
export const COMPARISONS = ['>=', '>', '<', '<='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface Condition {
  op: Comparison;
  value: number;
  /**
   * How long the condition must hold, in days. On rolling7d rows: that many consecutive daily rows (the latest
   * run of each day), all meeting it; on weekly rows: ceil(days / 7) consecutive weeks. 0 or 1: the evaluated
   * period alone. A missing day or week breaks the run.
   */
  for_days: number;
  /** the window must hold at least this many resolved dossiers (a rate over fewer says nothing) */
  min_resolved?: number | undefined;
  /** open_end must have grown in each of the last N weeks (7-day steps on rolling rows) */
  backlog_growth_weeks?: number | undefined;
}

export interface AlertRule {
  id: string;
  /** shown in e-mails (Vietnamese) */
  title: string;
  level: AlertLevel;
  period_kind: PeriodKind;
  metric: Metric;
  fire: Condition;
  resolve: Condition;
  /** e-mail at once, or in the daily digest */
  email: 'immediate' | 'digest';
  enabled: boolean;
}

/** indicators.md section 6, as shipped. A rules file overrides fields of these by id, or adds rules. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  {
    id: 'overloaded',
    title: 'Quá tải kéo dài',
    level: 'high',
    period_kind: 'rolling7d',
    metric: 'pressure_index',
    fire: { op: '>=', value: 1.2, for_days: 14 },
    resolve: { op: '<', value: 1.1, for_days: 7 },
    email: 'digest',
    enabled: true,
  },
  {
    id: 'critical_overload',
    title: 'Quá tải nghiêm trọng',
    level: 'critical',
    period_kind: 'rolling7d',
    metric: 'pressure_index',
    fire: { op: '>=', value: 1.5, for_days: 0 },
    resolve: { op: '<', value: 1.3, for_days: 0 },
    email: 'immediate',
    enabled: true,
  },
  {
    id: 'deadline_slippage',
    title: 'Giải quyết hồ sơ trễ hạn',
    level: 'warning',
    period_kind: 'rolling7d',
    metric: 'on_time_rate',
    fire: { op: '<', value: 0.8, for_days: 0, min_resolved: 20 },
    resolve: { op: '>=', value: 0.85, for_days: 0 },
    email: 'digest',
    enabled: true,
  },
  {
    id: 'backlog_growth',
    title: 'Hồ sơ tồn đọng tăng liên tục',
    level: 'warning',
    period_kind: 'week',
    metric: 'backlog_weeks',
    fire: { op: '>', value: 2, for_days: 0, backlog_growth_weeks: 4 },
    resolve: { op: '<=', value: 1.5, for_days: 0 },
    email: 'digest',
    enabled: true,
  },
];

const conditionSchema = z
  .object({
    op: z.enum(COMPARISONS),
    value: z.number().finite(),
    for_days: z.number().int().min(0).max(366),
    min_resolved: z.number().int().min(0).optional(),
    backlog_growth_weeks: z.number().int().min(1).max(52).optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
    title: z.string().min(1),
    level: z.enum(ALERT_LEVELS),
    period_kind: z.enum(['week', 'rolling7d']),
    metric: z.enum(METRICS),
    fire: conditionSchema,
    resolve: conditionSchema,
    email: z.enum(['immediate', 'digest']),
    enabled: z.boolean(),
  })
  .strict();

const overrideSchema = z
  .object({
    id: z.string(),
    title: z.string().optional(),
    level: z.unknown().optional(),
    period_kind: z.unknown().optional(),
    metric: z.unknown().optional(),
    fire: z.record(z.string(), z.unknown()).optional(),
    resolve: z.record(z.string(), z.unknown()).optional(),
    email: z.unknown().optional(),
    enabled: z.unknown().optional(),
  })
  .strict();

const fileSchema = z.object({ rules: z.array(overrideSchema) }).strict();

/**
 * The rules in force: the defaults, with a file's entries merged in by id (a field given replaces the
 * default's, `fire` and `resolve` field by field; `"enabled": false` turns a rule off; a new id adds a rule,
 * which must then be complete).
 */
export function resolveRules(overrides: unknown, source = 'the rules'): AlertRule[] {
  const parsed = fileSchema.safeParse(overrides);
  if (!parsed.success) throw new ConfigError(`bad alert rules in ${source}:\n${formatIssues(parsed.error, '  ')}`);
  const byId = new Map<string, unknown>(DEFAULT_RULES.map((rule) => [rule.id, rule]));
  for (const override of parsed.data.rules) {
    const base = (byId.get(override.id) ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...base, ...override };
    for (const side of ['fire', 'resolve'] as const) {
      if (override[side]) merged[side] = { ...((base[side] as object | undefined) ?? {}), ...override[side] };
    }
    byId.set(override.id, merged);
  }
  const rules: AlertRule[] = [];
  for (const [id, candidate] of byId) {
    const checked = ruleSchema.safeParse(candidate);
    if (!checked.success) {
      throw new ConfigError(`bad alert rule ${id} in ${source}:\n${formatIssues(checked.error, '  ')}`);
    }
    rules.push(checked.data);
  }
  return rules;
}

/** The rules of a JSON file (see resolveRules), or the defaults without one. */
export function loadRules(path: string | undefined): AlertRule[] {
  if (path === undefined) return resolveRules({ rules: [] }, 'the defaults');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the alert rules ${path} as JSON: ${(error as Error).message}`);
  }
  return resolveRules(raw, path);
}

/** `pressure_index >= 1.2 for 14 days`: how a condition reads in messages and listings. */
export function describeCondition(metric: Metric, condition: Condition, periodKind: PeriodKind): string {
  const parts = [`${metric} ${condition.op} ${condition.value}`];
  const periods = periodsRequired(periodKind, condition.for_days);
  if (periods > 1) parts.push(periodKind === 'week' ? `for ${periods} weeks` : `for ${periods} days`);
  if (condition.min_resolved !== undefined) parts.push(`with at least ${condition.min_resolved} resolved`);
  if (condition.backlog_growth_weeks !== undefined) {
    parts.push(`after the backlog grew ${condition.backlog_growth_weeks} weeks running`);
  }
  return parts.join(' ');
}

/** How many consecutive periods of a kind make `for_days`. */
export function periodsRequired(periodKind: PeriodKind, forDays: number): number {
  return Math.max(1, periodKind === 'week' ? Math.ceil(forDays / 7) : forDays);
}
