import { isoWeekLabel } from '@commune-pulse/reference-data';
import { type LevelThresholds, pressureLevel } from '@commune-pulse/workload';
import { LEVEL_COLORS } from '../charts.ts';
import type { ReportData } from '../data.ts';
import type { Column, ColumnKind, ReportTable, Section } from '../document.ts';
import type { Formatter, TextKey } from '../i18n.ts';

/** What every section is laid out with besides its figures: the language, labels and thresholds. */
export interface ReportContext {
  fmt: Formatter;
  t: (key: TextKey, values?: Record<string, string | number>) => string;
  col: (key: string, label: TextKey, kind: ColumnKind) => Column;
  /** the trend's weeks as the axis labels them */
  weekLabels: string[];
  national: boolean;
  /** "staff on <the report's day>" */
  staffTodayLabel: string;
  thresholds: LevelThresholds;
  /** the colour of an index's level (critical for no index: work required of no staff) */
  indexColor: (index: number | null) => string;
}

export function reportContext(data: ReportData, fmt: Formatter): ReportContext {
  const t = (key: TextKey, values?: Record<string, string | number>) => fmt.t(key, values);
  const thresholds = data.thresholds;
  return {
    fmt,
    t,
    col: (key, label, kind) => ({ key, label: t(label), kind }),
    weekLabels: data.trendWeeks.map((day) => fmt.shortWeek(isoWeekLabel(day))),
    national: data.scope.kind === 'national',
    staffTodayLabel: t('staffToday', { day: fmt.day(data.asOfDay) }),
    thresholds,
    indexColor: (index) => (index === null ? LEVEL_COLORS.critical : LEVEL_COLORS[pressureLevel(index, thresholds)]),
  };
}

/** What one section module adds to the report: its sections (a province's is one a province) and its tables. */
export interface ReportPart {
  sections: Section[];
  /** in the order their CSV files are listed */
  tables: ReportTable[];
}
