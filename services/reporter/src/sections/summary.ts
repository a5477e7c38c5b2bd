import { PRESSURE_LEVELS } from '@commune-pulse/workload';
import { barChart, LEVEL_COLORS, rankedBarChart } from '../charts.ts';
import type { ReportData, WeekTotals } from '../data.ts';
import { type Block, provinceName, type ReportTable, type Row, scopeName } from '../document.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { type ColumnSpec, figure, makeTable, provinceCells, round, share } from './table.ts';
import { trendChart, trendColumns, trendRow } from './trend.ts';

/** The scope's key figures, its communes by level, its trend and its provinces. */
export function summarySection(data: ReportData, context: ReportContext): ReportPart {
  const { t, fmt } = context;
  const total = data.total;
  const keyFigures = keyFiguresTable(context, total);
  const levels = levelsTable(context, total);
  const trend = makeTable(context, {
    id: 'trend',
    title: 'trendTable',
    columns: trendColumns(context),
    items: data.trend,
    row: trendRow,
  });
  const provinces = makeTable(context, {
    id: 'provinces',
    title: 'provincesTable',
    columns: provinceColumns(context),
    items: data.provinces,
    row: (row) => provinceRow(context, row),
    total: provinceRow(context, { ...total, province_code: null }),
  });

  const blocks: Block[] = [
    {
      kind: 'row',
      blocks: [
        { kind: 'table', table: keyFigures },
        { kind: 'table', table: levels },
        {
          kind: 'chart',
          title: t('levels'),
          svg: barChart(
            [
              ...PRESSURE_LEVELS.map((level) => ({
                label: fmt.level(level),
                value: total[level],
                color: LEVEL_COLORS[level],
              })),
              { label: t('withoutStaffing'), value: total.communes_without_staffing, color: '#9e9e9e' },
            ],
            { width: 440, height: 300, format: (v) => fmt.integer(v) },
          ),
        },
      ],
    },
    {
      kind: 'chart',
      title: t('trend'),
      svg: trendChart(context, data.trendWeeks, data.trend, { width: 1000, height: 260 }),
    },
    { kind: 'table', table: trend },
  ];
  if (context.national) {
    blocks.push({
      kind: 'chart',
      title: t('provincePressureChart'),
      svg: rankedBarChart(
        data.provinces
          .filter((row) => row.pressure_index !== null)
          .map((row) => ({
            label: provinceName(row.province_code ?? ''),
            value: round(row.pressure_index as number, 3),
            color: context.indexColor(row.pressure_index),
          })),
        { width: 1000, reference: 1, format: (v) => fmt.decimal(v, 2) },
      ),
    });
  }
  blocks.push({ kind: 'table', table: provinces });

  const title = context.national ? t('summaryNational') : `${t('summary')}: ${scopeName(data, fmt)}`;
  return {
    sections: [{ id: 'summary', title, blocks }],
    tables: [keyFigures, levels, provinces, trend],
  };
}

function keyFiguresTable(context: ReportContext, total: WeekTotals): ReportTable {
  const { t } = context;
  const figures: [string, number | null, Parameters<typeof figure>[2]][] = [
    [t('communes'), total.communes, 'integer'],
    [t('withIndex'), total.communes_with_index, 'integer'],
    [t('communesWithoutStaffing'), total.communes_without_staffing, 'integer'],
    [t('received'), total.received, 'integer'],
    [t('requiredFte'), total.required_fte, 'fte'],
    [t('requiredStaffedFte'), total.required_fte_staffed, 'fte'],
    [t('actualFte'), total.actual_fte, 'fte'],
    [t('pressureIndex'), total.pressure_index, 'index'],
    [t('proposedStaff'), total.proposed_staff, 'integer'],
    [context.staffTodayLabel, total.staff_today, 'fte'],
    [t('proposalGap'), total.proposed_staff - total.staff_today, 'fte'],
    [t('onlineShare'), total.online_share, 'percent'],
    [t('onTimeRate'), total.on_time_rate, 'percent'],
    [t('overdue'), total.overdue_open, 'integer'],
  ];
  return makeTable(context, {
    id: 'key-figures',
    title: 'keyFigures',
    columns: [
      ['metric', 'metric', 'text'],
      ['value', 'value', 'value'],
    ],
    items: figures,
    row: ([metric, value, format]) => figure(metric, value, format),
  });
}

/** A scope's or a province's communes by level, those without staffing data last. */
export function levelsTable(context: ReportContext, totals: WeekTotals): ReportTable {
  const { t } = context;
  const counts: [string, number][] = [
    ...PRESSURE_LEVELS.map((level): [string, number] => [level, totals[level]]),
    [t('withoutStaffing'), totals.communes_without_staffing],
  ];
  return makeTable(context, {
    id: 'levels',
    title: 'levels',
    columns: [
      ['level', 'level', 'level'],
      ['communes', 'communes', 'integer'],
      ['share', 'share', 'percent'],
    ],
    items: counts,
    row: ([level, communes]) => ({ level, communes, share: share(communes, totals.communes) }),
    total: { level: t('total'), communes: totals.communes, share: totals.communes > 0 ? 1 : null },
  });
}

function provinceColumns(context: ReportContext): ColumnSpec[] {
  return [
    ['province_code', 'provinceCode', 'text'],
    ['province', 'province', 'text'],
    ['communes', 'communes', 'integer'],
    ...PRESSURE_LEVELS.map((level) => ({ key: level, label: context.fmt.level(level), kind: 'integer' as const })),
    ['communes_without_staffing', 'withoutStaffing', 'integer'],
    ['received', 'received', 'integer'],
    ['required_fte', 'requiredFte', 'fte'],
    ['actual_fte', 'actualFte', 'fte'],
    ['pressure_index', 'pressureIndex', 'index'],
    ['proposed_staff', 'proposedStaff', 'integer'],
    { key: 'staff_today', label: context.staffTodayLabel, kind: 'fte' },
    ['online_share', 'onlineShare', 'percent'],
    ['on_time_rate', 'onTimeRate', 'percent'],
  ];
}

function provinceRow(context: ReportContext, row: WeekTotals): Row {
  return {
    ...provinceCells(row.province_code),
    ...(row.province_code === null ? { province: context.t('total') } : {}),
    communes: row.communes,
    ...Object.fromEntries(PRESSURE_LEVELS.map((level) => [level, row[level]])),
    communes_without_staffing: row.communes_without_staffing,
    received: row.received,
    required_fte: row.required_fte,
    actual_fte: row.actual_fte,
    pressure_index: row.pressure_index,
    proposed_staff: row.proposed_staff,
    staff_today: row.staff_today,
    online_share: row.online_share,
    on_time_rate: row.on_time_rate,
  };
}
