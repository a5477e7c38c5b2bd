import { LEVEL_COLORS, lineChart, sparkline } from '../charts.ts';
import type { CommuneWeek, ReportData } from '../data.ts';
import { type Block, communeName, type Row } from '../document.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { type ColumnSpec, communeCells, makeTable, round, tableOrNone } from './table.ts';

/** The scope's most pressured communes, with each one's 12-week index. */
export function topSection(data: ReportData, context: ReportContext): ReportPart {
  const { t, fmt } = context;
  const top = makeTable(context, {
    id: 'top-communes',
    title: 'top',
    columns: communeColumns(context.national),
    items: data.top,
    row: (row, i) => communeRow(data, row, i + 1),
  });
  const blocks: Block[] = [];
  if (data.top.length > 0) {
    const chart = lineChart(
      context.weekLabels,
      data.top.slice(0, 8).map((row) => ({
        name: communeName(row.commune_code),
        values: (data.communeTrends.get(row.commune_code) ?? []).map((v) => (v === null ? null : round(v, 3))),
      })),
      { width: 1000, height: 300, leftName: t('pressureIndex'), formatLeft: (v) => fmt.decimal(v, 1) },
    );
    blocks.push({ kind: 'chart', title: t('topTrendChart'), svg: chart });
  }
  blocks.push(tableOrNone(context, top, { empty: t('noData') }));
  return { sections: [{ id: 'top', title: t('top'), blocks }], tables: [top] };
}

/** The columns of a list of communes: the province's columns left out where the list is a province's. */
export function communeColumns(withProvince: boolean): ColumnSpec[] {
  return [
    ['rank', 'rank', 'integer'],
    ['commune_code', 'communeCode', 'text'],
    ['commune', 'commune', 'text'],
    ...(withProvince ? [['province', 'province', 'text'] as const] : []),
    ['level', 'level', 'level'],
    ['pressure_index', 'pressureIndex', 'index'],
    ['required_fte', 'requiredFte', 'fte'],
    ['actual_fte', 'actualFte', 'fte'],
    ['received', 'received', 'integer'],
    ['overdue_open', 'overdue', 'integer'],
    ['on_time_rate', 'onTimeRate', 'percent'],
    ['trend', 'trend12', 'svg'],
  ];
}

export function communeRow(data: Pick<ReportData, 'communeTrends'>, row: CommuneWeek, rank: number): Row {
  return {
    rank,
    ...communeCells(row),
    level: row.level,
    pressure_index: row.pressure_index,
    required_fte: row.required_fte,
    actual_fte: row.actual_fte,
    received: row.received,
    overdue_open: row.overdue_open,
    on_time_rate: row.on_time_rate,
    trend: sparkline(data.communeTrends.get(row.commune_code) ?? [], row.level ? LEVEL_COLORS[row.level] : '#555'),
  };
}
