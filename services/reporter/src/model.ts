import { communeByCode, isoWeekLabel, provinceByCode } from '@commune-pulse/reference-data';
import { PRESSURE_LEVELS, type PressureLevel, pressureLevel } from '@commune-pulse/workload';
import { barChart, LEVEL_COLORS, lineChart, rankedBarChart, sparkline } from './charts.ts';
import {
  addDays,
  type CommuneWeek,
  HISTOGRAM_BIN_WIDTH,
  HISTOGRAM_BINS,
  type LevelChange,
  type ReportData,
  type TrendPoint,
  type WeekTotals,
} from './data.ts';
import type { Formatter, TextKey } from './i18n.ts';

export type CellValue = string | number | null;
export type Row = Record<string, CellValue>;

/**
 * How a cell is shown: numbers in the report's locale, levels by their name. `value` takes the format named in
 * the row's `format` field (key figures mix counts, FTE and rates in one column); `svg` is drawn in the HTML only.
 */
export type ColumnKind = 'text' | 'integer' | 'fte' | 'index' | 'percent' | 'day' | 'week' | 'level' | 'value' | 'svg';

export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
}

export interface ReportTable {
  /** file name stem of its CSV */
  id: string;
  title: string;
  columns: Column[];
  rows: Row[];
  /** the totals row the rows add up to */
  total?: Row;
}

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'chart'; title: string; svg: string }
  | { kind: 'table'; table: ReportTable; rows?: Row[]; total?: Row; limit?: number; title?: string }
  | { kind: 'row'; blocks: Block[] };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
  /** a province's section starts on a new page */
  newPage?: boolean;
}

export interface ReportDocument {
  lang: Formatter['lang'];
  title: string;
  scopeName: string;
  weekLabel: string;
  weekTitle: string;
  weekRange: string;
  generatedAt: string;
  footer: string;
  sections: Section[];
  /** every table, in the order of the report: one CSV each */
  tables: ReportTable[];
}

export interface BuildOptions {
  generatedAtMs: number;
}

const HTML_LIMIT = 30;

export function communeName(code: string): string {
  return communeByCode(code)?.name ?? code;
}

export function provinceName(code: string): string {
  return provinceByCode(code)?.name ?? code;
}

export function scopeName(data: Pick<ReportData, 'scope'>, fmt: Formatter): string {
  return data.scope.kind === 'national' ? fmt.t('national') : provinceName(data.scope.provinceCode);
}

/** Lays out the report: its sections, charts and tables, from the figures alone. */
export function buildReport(data: ReportData, fmt: Formatter, options: BuildOptions): ReportDocument {
  const thresholds = data.thresholds;
  const t = (key: TextKey, values?: Record<string, string | number>) => fmt.t(key, values);
  const col = (key: string, label: TextKey, kind: ColumnKind): Column => ({ key, label: t(label), kind });
  const weekLabels = data.trendWeeks.map((day) => fmt.shortWeek(isoWeekLabel(day)));
  const national = data.scope.kind === 'national';
  const staffTodayLabel = t('staffToday', { day: fmt.day(data.asOfDay) });
  const indexColor = (index: number | null) =>
    index === null ? LEVEL_COLORS.critical : LEVEL_COLORS[pressureLevel(index, thresholds)];

  // ---- summary ---------------------------------------------------------------------------------------------
  const total = data.total;
  const keyFigures: ReportTable = {
    id: 'key-figures',
    title: t('keyFigures'),
    columns: [col('metric', 'metric', 'text'), col('value', 'value', 'value')],
    rows: [
      figure(t('communes'), total.communes, 'integer'),
      figure(t('withIndex'), total.communes_with_index, 'integer'),
      figure(t('communesWithoutStaffing'), total.communes_without_staffing, 'integer'),
      figure(t('received'), total.received, 'integer'),
      figure(t('requiredFte'), total.required_fte, 'fte'),
      figure(t('requiredStaffedFte'), total.required_fte_staffed, 'fte'),
      figure(t('actualFte'), total.actual_fte, 'fte'),
      figure(t('pressureIndex'), total.pressure_index, 'index'),
      figure(t('proposedStaff'), total.proposed_staff, 'integer'),
      figure(staffTodayLabel, total.staff_today, 'fte'),
      figure(t('proposalGap'), total.proposed_staff - total.staff_today, 'fte'),
      figure(t('onlineShare'), total.online_share, 'percent'),
      figure(t('onTimeRate'), total.on_time_rate, 'percent'),
      figure(t('overdue'), total.overdue_open, 'integer'),
    ],
  };

  const levelRows: Row[] = [
    ...PRESSURE_LEVELS.map((level) => ({ level, communes: total[level], share: share(total[level], total.communes) })),
    {
      level: t('withoutStaffing'),
      communes: total.communes_without_staffing,
      share: share(total.communes_without_staffing, total.communes),
    },
  ];
  const levels: ReportTable = {
    id: 'levels',
    title: t('levels'),
    columns: [col('level', 'level', 'level'), col('communes', 'communes', 'integer'), col('share', 'share', 'percent')],
    rows: levelRows,
    total: { level: t('total'), communes: total.communes, share: total.communes > 0 ? 1 : null },
  };

  const provinceColumns: Column[] = [
    col('province_code', 'provinceCode', 'text'),
    col('province', 'province', 'text'),
    col('communes', 'communes', 'integer'),
    ...PRESSURE_LEVELS.map((level) => ({ key: level, label: fmt.level(level), kind: 'integer' as const })),
    col('communes_without_staffing', 'withoutStaffing', 'integer'),
    col('received', 'received', 'integer'),
    col('required_fte', 'requiredFte', 'fte'),
    col('actual_fte', 'actualFte', 'fte'),
    col('pressure_index', 'pressureIndex', 'index'),
    col('proposed_staff', 'proposedStaff', 'integer'),
    { key: 'staff_today', label: staffTodayLabel, kind: 'fte' },
    col('online_share', 'onlineShare', 'percent'),
    col('on_time_rate', 'onTimeRate', 'percent'),
  ];
  const provinceRow = (row: WeekTotals): Row => ({
    province_code: row.province_code,
    province: row.province_code === null ? t('total') : provinceName(row.province_code),
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
  });
  const provincesTable: ReportTable = {
    id: 'provinces',
    title: t('provincesTable'),
    columns: provinceColumns,
    rows: data.provinces.map(provinceRow),
    total: provinceRow({ ...total, province_code: null }),
  };

  const trendColumns: Column[] = [
    col('week', 'week', 'week'),
    col('communes', 'withIndex', 'integer'),
    col('required_fte_staffed', 'requiredStaffedFte', 'fte'),
    col('actual_fte', 'actualFte', 'fte'),
    col('pressure_index', 'pressureIndex', 'index'),
    { key: 'high_or_critical', label: `${fmt.level('high')} + ${fmt.level('critical')}`, kind: 'integer' },
  ];
  const trendRow = (point: TrendPoint): Row => ({
    week: isoWeekLabel(point.week_start),
    communes: point.communes,
    required_fte_staffed: point.required_fte_staffed,
    actual_fte: point.actual_fte,
    pressure_index: point.pressure_index,
    high_or_critical: point.high_or_critical,
  });
  const trendTable: ReportTable = {
    id: 'trend',
    title: t('trendTable'),
    columns: trendColumns,
    rows: data.trend.map(trendRow),
  };
  const trendChart = (points: readonly TrendPoint[], width: number, height: number) => {
    const byWeek = new Map(points.map((point) => [point.week_start, point]));
    const pick = (f: (p: TrendPoint) => number | null) =>
      data.trendWeeks.map((week) => {
        const point = byWeek.get(week);
        return point ? f(point) : null;
      });
    return lineChart(
      weekLabels,
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
        width,
        height,
        leftName: 'FTE',
        rightName: t('pressureIndex'),
        formatLeft: (v) => fmt.integer(v),
        formatRight: (v) => fmt.decimal(v, 2),
      },
    );
  };

  // ---- most pressured communes ---------------------------------------------------------------------------
  const communeColumns = (withProvince: boolean): Column[] => [
    col('rank', 'rank', 'integer'),
    col('commune_code', 'communeCode', 'text'),
    col('commune', 'commune', 'text'),
    ...(withProvince ? [col('province', 'province', 'text')] : []),
    col('level', 'level', 'level'),
    col('pressure_index', 'pressureIndex', 'index'),
    col('required_fte', 'requiredFte', 'fte'),
    col('actual_fte', 'actualFte', 'fte'),
    col('received', 'received', 'integer'),
    col('overdue_open', 'overdue', 'integer'),
    col('on_time_rate', 'onTimeRate', 'percent'),
    col('trend', 'trend12', 'svg'),
  ];
  const communeRow = (row: CommuneWeek, rank: number): Row => ({
    rank,
    commune_code: row.commune_code,
    commune: communeName(row.commune_code),
    province_code: row.province_code,
    province: provinceName(row.province_code),
    level: row.level,
    pressure_index: row.pressure_index,
    required_fte: row.required_fte,
    actual_fte: row.actual_fte,
    received: row.received,
    overdue_open: row.overdue_open,
    on_time_rate: row.on_time_rate,
    trend: sparkline(data.communeTrends.get(row.commune_code) ?? [], row.level ? LEVEL_COLORS[row.level] : '#555'),
  });
  const topTable: ReportTable = {
    id: 'top-communes',
    title: t('top'),
    columns: communeColumns(national),
    rows: data.top.map((row, i) => communeRow(row, i + 1)),
  };
  const topTrend =
    data.top.length === 0
      ? null
      : lineChart(
          weekLabels,
          data.top.slice(0, 8).map((row) => ({
            name: communeName(row.commune_code),
            values: (data.communeTrends.get(row.commune_code) ?? []).map((v) => (v === null ? null : round(v, 3))),
          })),
          { width: 1000, height: 300, leftName: t('pressureIndex'), formatLeft: (v) => fmt.decimal(v, 1) },
        );

  // ---- changes -------------------------------------------------------------------------------------------
  const changeColumns: Column[] = [
    col('commune_code', 'communeCode', 'text'),
    col('commune', 'commune', 'text'),
    col('province', 'province', 'text'),
    col('previous_level', 'previousLevel', 'level'),
    col('level', 'level', 'level'),
    col('previous_index', 'previousIndex', 'index'),
    col('pressure_index', 'pressureIndex', 'index'),
  ];
  const changeRow = (row: LevelChange): Row => ({
    commune_code: row.commune_code,
    commune: communeName(row.commune_code),
    province_code: row.province_code,
    province: provinceName(row.province_code),
    previous_level: row.previous_level,
    level: row.level,
    previous_index: row.previous_index,
    pressure_index: row.pressure_index,
  });
  const transitions: ReportTable = {
    id: 'level-changes',
    title: t('transitionsTable'),
    columns: [col('from', 'from', 'level'), col('to', 'to', 'level'), col('communes', 'communes', 'integer')],
    rows: data.changes.transitions.map((row) => ({ from: row.from, to: row.to, communes: row.communes })),
    total: { from: t('total'), to: null, communes: sum(data.changes.transitions.map((row) => row.communes)) },
  };
  const rose: ReportTable = {
    id: 'became-high-or-critical',
    title: t('roseTable'),
    columns: changeColumns,
    rows: data.changes.rose.map(changeRow),
  };
  const recovered: ReportTable = {
    id: 'recovered',
    title: t('recoveredTable'),
    columns: changeColumns,
    rows: data.changes.recovered.map(changeRow),
  };

  // ---- alerts --------------------------------------------------------------------------------------------
  const alertTables: ReportTable[] = [];
  const alertBlocks: Block[] = [];
  if (data.alerts.status === 'missing') alertBlocks.push({ kind: 'text', text: t('alertsMissing') });
  else if (data.alerts.status === 'incomplete') {
    alertBlocks.push({ kind: 'text', text: t('alertsIncomplete', { columns: data.alerts.missingColumns.join(', ') }) });
  } else {
    const rows = data.alerts.rows;
    const byRule = new Map<string, number>();
    for (const row of rows) byRule.set(row.rule, (byRule.get(row.rule) ?? 0) + 1);
    const alertsByRule: ReportTable = {
      id: 'alerts-by-rule',
      title: t('alertsByRule'),
      columns: [col('rule', 'rule', 'text'), col('alerts', 'alertCount', 'integer')],
      rows: [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, alerts]) => ({ rule, alerts })),
      total: { rule: t('total'), alerts: rows.length },
    };
    const alertList: ReportTable = {
      id: 'alerts',
      title: t('alertsList'),
      columns: [
        col('rule', 'rule', 'text'),
        col('commune_code', 'communeCode', 'text'),
        col('commune', 'commune', 'text'),
        col('province', 'province', 'text'),
        col('state', 'state', 'text'),
        col('fired_at', 'firedAt', 'text'),
        col('resolved_at', 'resolvedAt', 'text'),
        col('value', 'value', 'index'),
        col('threshold', 'threshold', 'index'),
      ],
      rows: rows.map((row) => ({
        rule: row.rule,
        commune_code: row.commune_code,
        commune: communeName(row.commune_code),
        province_code: row.province_code,
        province: provinceName(row.province_code),
        state: fmt.alertState(row.state),
        fired_at: fmt.dateTime(row.fired_ms),
        resolved_at: row.resolved_ms === null ? null : fmt.dateTime(row.resolved_ms),
        value: row.value,
        threshold: row.threshold,
      })),
    };
    alertTables.push(alertsByRule, alertList);
    if (rows.length === 0) alertBlocks.push({ kind: 'text', text: t('none') });
    else
      alertBlocks.push({ kind: 'table', table: alertsByRule }, { kind: 'table', table: alertList, limit: HTML_LIMIT });
  }

  // ---- data quality --------------------------------------------------------------------------------------
  const quality = data.quality;
  const qualityTable: ReportTable = {
    id: 'data-quality',
    title: t('qualityTable'),
    columns: [col('metric', 'metric', 'text'), col('value', 'value', 'integer')],
    rows: [
      { metric: t('deliveries'), value: quality.deliveries },
      { metric: t('eventsAccepted'), value: quality.events_accepted },
      { metric: t('duplicates'), value: quality.duplicates },
      { metric: t('rejected'), value: quality.rejected },
      { metric: t('lateEvents'), value: quality.late_events },
      { metric: t('unknownProcedureEvents'), value: quality.unknown_procedure_events },
    ],
  };
  const rejectedTable: ReportTable = {
    id: 'rejected-by-reason',
    title: t('rejectedTable'),
    columns: [col('reason', 'reason', 'text'), col('events', 'events', 'integer')],
    rows: quality.rejectedByReason.map((row) => ({ reason: row.reason, events: row.events })),
    total: { reason: t('total'), events: quality.rejected },
  };
  const withoutStaffing: ReportTable = {
    id: 'without-staffing',
    title: t('withoutStaffingTable'),
    columns: [
      col('commune_code', 'communeCode', 'text'),
      col('commune', 'commune', 'text'),
      col('province', 'province', 'text'),
      col('received', 'received', 'integer'),
    ],
    rows: data.withoutStaffing.map((row) => ({
      commune_code: row.commune_code,
      commune: communeName(row.commune_code),
      province_code: row.province_code,
      province: provinceName(row.province_code),
      received: row.received,
    })),
    total: {
      commune_code: t('total'),
      commune: null,
      province: null,
      received: sum(data.withoutStaffing.map((row) => row.received)),
    },
  };
  const provinceUnknown: ReportTable = {
    id: 'unknown-procedures',
    title: t('unknownProcedures'),
    columns: [
      col('province_code', 'provinceCode', 'text'),
      col('province', 'province', 'text'),
      col('unknown_procedure_received', 'unknownProcedures', 'integer'),
      col('communes_without_staffing', 'communesWithoutStaffing', 'integer'),
    ],
    rows: data.provinces.map((row) => ({
      province_code: row.province_code,
      province: provinceName(row.province_code ?? ''),
      unknown_procedure_received: row.unknown_procedure_received,
      communes_without_staffing: row.communes_without_staffing,
    })),
    total: {
      province_code: null,
      province: t('total'),
      unknown_procedure_received: total.unknown_procedure_received,
      communes_without_staffing: total.communes_without_staffing,
    },
  };

  // ---- provinces -----------------------------------------------------------------------------------------
  const binLabel = (bin: number) =>
    bin === HISTOGRAM_BINS - 1
      ? `≥ ${fmt.decimal(bin * HISTOGRAM_BIN_WIDTH, 1)}`
      : `${fmt.decimal(bin * HISTOGRAM_BIN_WIDTH, 1)}–${fmt.decimal((bin + 1) * HISTOGRAM_BIN_WIDTH, 1)}`;
  const binColor = (bin: number) => LEVEL_COLORS[pressureLevel(round(bin * HISTOGRAM_BIN_WIDTH, 6), thresholds)];
  const histogramTable: ReportTable = {
    id: 'province-histograms',
    title: t('histogram'),
    columns: [
      col('province_code', 'provinceCode', 'text'),
      col('province', 'province', 'text'),
      col('bin', 'bin', 'text'),
      col('communes', 'communes', 'integer'),
    ],
    rows: data.provinces.flatMap((row) =>
      (data.provinceHistograms.get(row.province_code ?? '') ?? new Array<number>(HISTOGRAM_BINS).fill(0)).map(
        (communes, bin) => ({
          province_code: row.province_code,
          province: provinceName(row.province_code ?? ''),
          bin: binLabel(bin),
          communes,
        }),
      ),
    ),
    total: { province_code: null, province: t('total'), bin: null, communes: total.communes_with_index },
  };
  const provinceTopTable: ReportTable = {
    id: 'province-top-communes',
    title: t('provinceTop'),
    columns: [col('province_code', 'provinceCode', 'text'), ...communeColumns(true)],
    rows: data.provinces.flatMap((row) =>
      (data.provinceTop.get(row.province_code ?? '') ?? []).map((commune, i) => communeRow(commune, i + 1)),
    ),
  };
  const provinceTrendTable: ReportTable = {
    id: 'province-trends',
    title: t('trend'),
    columns: [col('province_code', 'provinceCode', 'text'), col('province', 'province', 'text'), ...trendColumns],
    rows: data.provinces.flatMap((row) =>
      (data.provinceTrends.get(row.province_code ?? '') ?? []).map((point) => ({
        province_code: row.province_code,
        province: provinceName(row.province_code ?? ''),
        ...trendRow(point),
      })),
    ),
  };

  const provinceSections: Section[] = data.provinces.map((row) => {
    const code = row.province_code ?? '';
    const bins = data.provinceHistograms.get(code) ?? new Array<number>(HISTOGRAM_BINS).fill(0);
    const levelsOfProvince: Row[] = [
      ...PRESSURE_LEVELS.map((level) => ({ level, communes: row[level], share: share(row[level], row.communes) })),
      {
        level: t('withoutStaffing'),
        communes: row.communes_without_staffing,
        share: share(row.communes_without_staffing, row.communes),
      },
    ];
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
            `${t('proposedStaff')}: ${fmt.integer(row.proposed_staff)} / ${staffTodayLabel}: ${fmt.decimal(row.staff_today, 1)}`,
            `${t('onlineShare')}: ${row.online_share === null ? '—' : fmt.percent(row.online_share)}`,
            `${t('onTimeRate')}: ${row.on_time_rate === null ? '—' : fmt.percent(row.on_time_rate)}`,
          ].join(' · '),
        },
        {
          kind: 'row',
          blocks: [
            {
              kind: 'table',
              table: levels,
              title: t('levels'),
              rows: levelsOfProvince,
              total: { level: t('total'), communes: row.communes, share: row.communes > 0 ? 1 : null },
            },
            {
              kind: 'chart',
              title: t('histogram'),
              svg: barChart(
                bins.map((communes, bin) => ({ label: binLabel(bin), value: communes, color: binColor(bin) })),
                { width: 640, height: 180, rotate: 45, format: (v) => fmt.integer(v), hideZeroLabels: true },
              ),
            },
          ],
        },
        { kind: 'chart', title: t('trend'), svg: trendChart(data.provinceTrends.get(code) ?? [], 1000, 150) },
        {
          kind: 'table',
          // the province is the section's: its columns are left out here, kept in the CSV
          table: { ...provinceTopTable, columns: communeColumns(false) },
          title: t('provinceTop'),
          rows: (data.provinceTop.get(code) ?? []).map((commune, i) => communeRow(commune, i + 1)),
        },
      ],
    };
  });

  // ---- the document --------------------------------------------------------------------------------------
  const summaryBlocks: Block[] = [
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
    { kind: 'chart', title: t('trend'), svg: trendChart(data.trend, 1000, 260) },
    { kind: 'table', table: trendTable },
  ];
  if (national) {
    summaryBlocks.push({
      kind: 'chart',
      title: t('provincePressureChart'),
      svg: rankedBarChart(
        data.provinces
          .filter((row) => row.pressure_index !== null)
          .map((row) => ({
            label: provinceName(row.province_code ?? ''),
            value: round(row.pressure_index as number, 3),
            color: indexColor(row.pressure_index),
          })),
        { width: 1000, reference: 1, format: (v) => fmt.decimal(v, 2) },
      ),
    });
  }
  summaryBlocks.push({ kind: 'table', table: provincesTable });

  const changeBlocks: Block[] = data.changes.previousAvailable
    ? [
        { kind: 'text', text: t('changesCompared', { n: fmt.integer(data.changes.compared) }) },
        { kind: 'table', table: transitions },
        rose.rows.length > 0
          ? { kind: 'table', table: rose, limit: HTML_LIMIT }
          : { kind: 'text', text: `${t('roseTable')}: ${t('none')}` },
        recovered.rows.length > 0
          ? { kind: 'table', table: recovered, limit: HTML_LIMIT }
          : { kind: 'text', text: `${t('recoveredTable')}: ${t('none')}` },
      ]
    : [{ kind: 'text', text: t('changesNoPrevious', { week: fmt.week(data.previous.label) }) }];

  const sections: Section[] = [
    {
      id: 'summary',
      title: national ? t('summaryNational') : `${t('summary')}: ${scopeName(data, fmt)}`,
      blocks: summaryBlocks,
    },
    {
      id: 'top',
      title: t('top'),
      blocks: [
        ...(topTrend ? [{ kind: 'chart' as const, title: t('topTrendChart'), svg: topTrend }] : []),
        topTable.rows.length > 0 ? { kind: 'table', table: topTable } : { kind: 'text', text: t('noData') },
      ],
    },
    { id: 'changes', title: t('changes'), blocks: changeBlocks },
    { id: 'alerts', title: t('alerts'), blocks: alertBlocks },
    {
      id: 'quality',
      title: t('quality'),
      blocks: [
        { kind: 'text', text: t('qualityWindow', { from: fmt.day(quality.from), to: fmt.day(quality.to) }) },
        {
          kind: 'row',
          blocks: [
            { kind: 'table', table: qualityTable },
            rejectedTable.rows.length > 0
              ? { kind: 'table', table: rejectedTable }
              : { kind: 'text', text: `${t('rejectedTable')}: ${t('none')}` },
          ],
        },
        { kind: 'table', table: provinceUnknown },
        withoutStaffing.rows.length > 0
          ? { kind: 'table', table: withoutStaffing, limit: HTML_LIMIT }
          : { kind: 'text', text: `${t('withoutStaffingTable')}: ${t('none')}` },
      ],
    },
    ...provinceSections,
  ];

  const weekTitle = fmt.week(data.period.label);
  return {
    lang: fmt.lang,
    title: t('title'),
    scopeName: scopeName(data, fmt),
    weekLabel: data.period.label,
    weekTitle,
    weekRange: t('weekRange', { from: fmt.day(data.period.startDay), to: fmt.day(addDays(data.period.startDay, 6)) }),
    generatedAt: t('generatedAt', { at: fmt.dateTime(options.generatedAtMs) }),
    footer: `${t('title')} · ${scopeName(data, fmt)} · ${weekTitle}`,
    sections,
    tables: [
      keyFigures,
      levels,
      provincesTable,
      trendTable,
      topTable,
      transitions,
      rose,
      recovered,
      ...alertTables,
      qualityTable,
      rejectedTable,
      provinceUnknown,
      withoutStaffing,
      histogramTable,
      provinceTrendTable,
      provinceTopTable,
    ],
  };
}

function figure(metric: string, value: number | null, format: ColumnKind): Row {
  return { metric, value, format };
}

function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function isLevel(value: CellValue): value is PressureLevel {
  return typeof value === 'string' && (PRESSURE_LEVELS as readonly string[]).includes(value);
}
