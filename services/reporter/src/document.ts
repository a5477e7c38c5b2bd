import { communeByCode, provinceByCode } from '@commune-pulse/reference-data';
import { PRESSURE_LEVELS, type PressureLevel } from '@commune-pulse/workload';
import type { ReportData } from './data.ts';
import type { Formatter } from './i18n.ts';

// What a report is made of, whatever builds it: tables, blocks, sections and the document.

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

export function communeName(code: string): string {
  return communeByCode(code)?.name ?? code;
}

export function provinceName(code: string): string {
  return provinceByCode(code)?.name ?? code;
}

export function scopeName(data: Pick<ReportData, 'scope'>, fmt: Formatter): string {
  return data.scope.kind === 'national' ? fmt.t('national') : provinceName(data.scope.provinceCode);
}

export function isLevel(value: CellValue): value is PressureLevel {
  return typeof value === 'string' && (PRESSURE_LEVELS as readonly string[]).includes(value);
}
