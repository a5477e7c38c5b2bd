import { pressureLevel } from '@commune-pulse/workload';
import { barChart, LEVEL_COLORS } from '../charts.ts';
import { HISTOGRAM_BIN_WIDTH, HISTOGRAM_BINS, type ReportData, type WeekTotals } from '../data.ts';
import { provinceName, type Section } from '../document.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { levelsTable } from './summary.ts';
import { makeTable, provinceCells, round } from './table.ts';
import { communeColumns, communeRow } from './top.ts';
import { trendChart, trendColumns, trendRow } from './trend.ts';

/** A page a province: its figures, levels, histogram, trend and most pressured communes; their tables in CSV. */
export function provinceSections(data: ReportData, context: ReportContext): ReportPart {
  const binsOf = (code: string | null) =>
    data.provinceHistograms.get(code ?? '') ?? new Array<number>(HISTOGRAM_BINS).fill(0);
  const histograms = makeTable(context, {
    id: 'province-histograms',
    title: 'histogram',
    columns: [
      ['province_code', 'provinceCode', 'text'],
      ['province', 'province', 'text'],
      ['bin', 'bin', 'text'],
      ['communes', 'communes', 'integer'],
    ],
    items: data.provinces.flatMap((row) => binsOf(row.province_code).map((communes, bin) => ({ row, bin, communes }))),
    row: ({ row, bin, communes }) => ({ ...provinceCells(row.province_code), bin: binLabel(context, bin), communes }),
    total: { province_code: null, province: context.t('total'), bin: null, communes: data.total.communes_with_index },
  });
  const trends = makeTable(context, {
    id: 'province-trends',
    title: 'trend',
    columns: [['province_code', 'provinceCode', 'text'], ['province', 'province', 'text'], ...trendColumns(context)],
    items: data.provinces.flatMap((row) =>
      (data.provinceTrends.get(row.province_code ?? '') ?? []).map((point) => ({ row, point })),
    ),
    row: ({ row, point }) => ({ ...provinceCells(row.province_code), ...trendRow(point) }),
  });
  const top = makeTable(context, {
    id: 'province-top-communes',
    title: 'provinceTop',
    columns: [['province_code', 'provinceCode', 'text'], ...communeColumns(true)],
    items: data.provinces.flatMap((row) =>
      (data.provinceTop.get(row.province_code ?? '') ?? []).map((commune, i) => ({ commune, rank: i + 1 })),
    ),
    row: ({ commune, rank }) => communeRow(data, commune, rank),
  });
  return {
    sections: data.provinces.map((row) => provinceSection(data, context, row, binsOf(row.province_code))),
    tables: [histograms, trends, top],
  };
}

function provinceSection(data: ReportData, context: ReportContext, row: WeekTotals, bins: number[]): Section {
  const { t, fmt } = context;
  const code = row.province_code ?? '';
  const binColor = (bin: number) =>
    LEVEL_COLORS[pressureLevel(round(bin * HISTOGRAM_BIN_WIDTH, 6), context.thresholds)];
  return {
    id: `province-${code}`,
    title: `${provinceName(code)} (${code})`,
    newPage: true,
    blocks: [
      {
        kind: 'text',
        text: [
          `${t('received')}: ${fmt.integer(row.received)}`,
          `${t('requiredStaffedFte')}: ${fmt.decimal(row.required_fte_staffed, 1)}`,
          `${t('actualFte')}: ${fmt.decimal(row.actual_fte, 1)}`,
          `${t('pressureIndex')}: ${row.pressure_index === null ? '—' : fmt.decimal(row.pressure_index, 2)}`,
          `${t('proposedStaff')}: ${fmt.integer(row.proposed_staff)} / ${context.staffTodayLabel}: ${fmt.decimal(row.staff_today, 1)}`,
          `${t('onlineShare')}: ${row.online_share === null ? '—' : fmt.percent(row.online_share)}`,
          `${t('onTimeRate')}: ${row.on_time_rate === null ? '—' : fmt.percent(row.on_time_rate)}`,
        ].join(' · '),
      },
      {
        kind: 'row',
        blocks: [
          { kind: 'table', table: levelsTable(context, row) },
          {
            kind: 'chart',
            title: t('histogram'),
            svg: barChart(
              bins.map((communes, bin) => ({ label: binLabel(context, bin), value: communes, color: binColor(bin) })),
              { width: 640, height: 180, rotate: 45, format: (v) => fmt.integer(v), hideZeroLabels: true },
            ),
          },
        ],
      },
      {
        kind: 'chart',
        title: t('trend'),
        svg: trendChart(context, data.trendWeeks, data.provinceTrends.get(code) ?? [], { width: 1000, height: 150 }),
      },
      {
        kind: 'table',
        // the province is the section's: its columns are left out here, kept in the CSV
        table: makeTable(context, {
          id: 'province-top-communes',
          title: 'provinceTop',
          columns: communeColumns(false),
          items: data.provinceTop.get(code) ?? [],
          row: (commune, i) => communeRow(data, commune, i + 1),
        }),
      },
    ],
  };
}

function binLabel(context: ReportContext, bin: number): string {
  const { fmt } = context;
  return bin === HISTOGRAM_BINS - 1
    ? `≥ ${fmt.decimal(bin * HISTOGRAM_BIN_WIDTH, 1)}`
    : `${fmt.decimal(bin * HISTOGRAM_BIN_WIDTH, 1)}–${fmt.decimal((bin + 1) * HISTOGRAM_BIN_WIDTH, 1)}`;
}
