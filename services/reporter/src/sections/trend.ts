import { isoWeekLabel } from '@commune-pulse/reference-data';
import { lineChart } from '../charts.ts';
import type { TrendPoint } from '../data.ts';
import type { Row } from '../document.ts';
import type { ReportContext } from './context.ts';
import { type ColumnSpec, round } from './table.ts';

/** The columns of a trend table: a row a week. */
export function trendColumns(context: ReportContext): ColumnSpec[] {
  const { fmt } = context;
  return [
    ['week', 'week', 'week'],
    ['communes_with_index', 'withIndex', 'integer'],
    ['required_fte_staffed', 'requiredStaffedFte', 'fte'],
    ['actual_fte', 'actualFte', 'fte'],
    ['pressure_index', 'pressureIndex', 'index'],
    { key: 'high_or_critical', label: `${fmt.level('high')} + ${fmt.level('critical')}`, kind: 'integer' },
  ];
}

export function trendRow(point: TrendPoint): Row {
  return {
    week: isoWeekLabel(point.week_start),
    communes_with_index: point.communes_with_index,
    required_fte_staffed: point.required_fte_staffed,
    actual_fte: point.actual_fte,
    pressure_index: point.pressure_index,
    high_or_critical: point.high_or_critical,
  };
}

/** Σ required and Σ actual FTE over the trend's weeks, and the pressure index on the right axis. */
export function trendChart(
  context: ReportContext,
  trendWeeks: readonly string[],
  points: readonly TrendPoint[],
  size: { width: number; height: number },
): string {
  const { t, fmt } = context;
  const byWeek = new Map(points.map((point) => [point.week_start, point]));
  const pick = (f: (p: TrendPoint) => number | null) =>
    trendWeeks.map((week) => {
      const point = byWeek.get(week);
      return point ? f(point) : null;
    });
  return lineChart(
    context.weekLabels,
    [
      { name: t('requiredStaffedFte'), values: pick((p) => round(p.required_fte_staffed, 2)) },
      { name: t('actualFte'), values: pick((p) => round(p.actual_fte, 2)) },
      {
        name: t('pressureIndex'),
        values: pick((p) => (p.pressure_index === null ? null : round(p.pressure_index, 3))),
        right: true,
        dashed: true,
      },
    ],
    {
      ...size,
      leftName: 'FTE',
      rightName: t('pressureIndex'),
      formatLeft: (v) => fmt.integer(v),
      formatRight: (v) => fmt.decimal(v, 2),
    },
  );
}
