import {
  type Block,
  type Column,
  type ColumnKind,
  communeName,
  provinceName,
  type ReportTable,
  type Row,
} from '../document.ts';
import type { TextKey } from '../i18n.ts';
import type { ReportContext } from './context.ts';

/** How many rows a long table shows in the HTML and PDF (its CSV has them all). */
export const HTML_LIMIT = 30;

/** A column as [key, text key of its label, kind], or a column whose label is not a fixed text. */
export type ColumnSpec = Column | readonly [key: string, label: TextKey, kind: ColumnKind];

export interface TableSpec<T> {
  /** file name stem of its CSV */
  id: string;
  title: TextKey;
  columns: readonly ColumnSpec[];
  /** what the rows are made from, one row each */
  items: readonly T[];
  row: (item: T, index: number) => Row;
  /** the totals row the rows add up to */
  total?: Row;
}

/** The one way a report table is made: labelled columns, a row per item, and its totals row. */
export function makeTable<T>(context: ReportContext, spec: TableSpec<T>): ReportTable {
  return {
    id: spec.id,
    title: context.t(spec.title),
    columns: columns(context, spec.columns),
    rows: spec.items.map((item, index) => spec.row(item, index)),
    ...(spec.total ? { total: spec.total } : {}),
  };
}

export function columns(context: ReportContext, specs: readonly ColumnSpec[]): Column[] {
  return specs.map((spec) => ('key' in spec ? spec : context.col(spec[0], spec[1], spec[2])));
}

/** The table, or a line saying it has no rows (by default "<its title>: none"). */
export function tableOrNone(
  context: ReportContext,
  table: ReportTable,
  options: { limit?: number; empty?: string } = {},
): Block {
  if (table.rows.length === 0) return { kind: 'text', text: options.empty ?? `${table.title}: ${context.t('none')}` };
  return options.limit === undefined ? { kind: 'table', table } : { kind: 'table', table, limit: options.limit };
}

/** The cells that name a commune and its province. */
export function communeCells(row: { commune_code: string; province_code: string }): Row {
  return {
    commune_code: row.commune_code,
    commune: communeName(row.commune_code),
    province_code: row.province_code,
    province: provinceName(row.province_code),
  };
}

/** The cells that name a province (none for a totals row). */
export function provinceCells(code: string | null): Row {
  return { province_code: code, province: provinceName(code ?? '') };
}

/** A key figure: `value` is shown in the format its row names. */
export function figure(metric: string, value: number | null, format: ColumnKind): Row {
  return { metric, value, format };
}

export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
