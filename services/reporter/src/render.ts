import { csvField } from '@commune-pulse/reference-data';
import { LEVEL_COLORS } from './charts.ts';
import type { Formatter } from './i18n.ts';
import {
  type Block,
  type CellValue,
  type Column,
  type ColumnKind,
  isLevel,
  type ReportDocument,
  type ReportTable,
  type Row,
} from './model.ts';

const NUMERIC: ReadonlySet<ColumnKind> = new Set(['integer', 'fte', 'index', 'percent', 'value']);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A cell as the report shows it: the locale's numbers (1.234,5 in Vietnamese), dd/mm/yyyy, level names. */
export function formatCell(value: CellValue, kind: ColumnKind, fmt: Formatter, row: Row): string {
  if (value === null) return '—';
  if (kind === 'value') return formatCell(value, (row.format as ColumnKind | undefined) ?? 'text', fmt, row);
  if (typeof value === 'number') {
    switch (kind) {
      case 'integer':
        return fmt.integer(value);
      case 'fte':
        return fmt.decimal(value, 1);
      case 'index':
        return fmt.decimal(value, 2);
      case 'percent':
        return fmt.percent(value);
      default:
        return String(value);
    }
  }
  if (kind === 'level' && isLevel(value)) return fmt.level(value);
  if (kind === 'day') return fmt.day(value);
  if (kind === 'week') return fmt.week(value);
  return value;
}

function tableHtml(
  table: ReportTable,
  fmt: Formatter,
  rows: Row[],
  total: Row | undefined,
  limit?: number,
  title?: string,
) {
  const shown = limit !== undefined && rows.length > limit ? rows.slice(0, limit) : rows;
  const cell = (row: Row, column: Column, tag: 'td' | 'th' = 'td') => {
    const value = row[column.key] ?? null;
    if (column.kind === 'svg') return `<${tag} class="spark">${typeof value === 'string' ? value : ''}</${tag}>`;
    const text = escapeHtml(formatCell(value, column.kind, fmt, row));
    if (column.kind === 'level' && isLevel(value)) {
      return `<${tag} class="level"><span class="dot" style="background:${LEVEL_COLORS[value]}"></span>${text}</${tag}>`;
    }
    return `<${tag}${NUMERIC.has(column.kind) ? ' class="num"' : ''}>${text}</${tag}>`;
  };
  const head = table.columns.map(
    (column) => `<th${NUMERIC.has(column.kind) ? ' class="num"' : ''}>${escapeHtml(column.label)}</th>`,
  );
  const body = shown.map((row) => `<tr>${table.columns.map((column) => cell(row, column)).join('')}</tr>`);
  const foot = total
    ? `<tfoot><tr>${table.columns.map((column) => cell(total, column, 'th')).join('')}</tr></tfoot>`
    : '';
  const note =
    shown.length < rows.length
      ? `<p class="note">${escapeHtml(fmt.t('shownOf', { shown: fmt.integer(shown.length), total: fmt.integer(rows.length) }))}</p>`
      : '';
  return `<figure class="table" data-table="${escapeHtml(table.id)}">
<figcaption>${escapeHtml(title ?? table.title)}</figcaption>
<table><thead><tr>${head.join('')}</tr></thead><tbody>${body.join('\n')}</tbody>${foot}</table>${note}
</figure>`;
}

function blockHtml(block: Block, fmt: Formatter): string {
  switch (block.kind) {
    case 'text':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'chart':
      return `<figure class="chart"><figcaption>${escapeHtml(block.title)}</figcaption>${block.svg}</figure>`;
    case 'table':
      return tableHtml(
        block.table,
        fmt,
        block.rows ?? block.table.rows,
        block.total ?? (block.rows ? undefined : block.table.total),
        block.limit,
        block.title,
      );
    case 'row':
      return `<div class="row">${block.blocks.map((inner) => blockHtml(inner, fmt)).join('\n')}</div>`;
  }
}

const STYLE = `
@page { size: A4 landscape; margin: 12mm 10mm 14mm 10mm; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #222; margin: 0 auto;
  max-width: 1060px; padding: 16px; font-size: 12px; line-height: 1.4; }
header { border-bottom: 3px solid #c62828; margin-bottom: 12px; padding-bottom: 8px; }
header h1 { font-size: 22px; margin: 0 0 4px; color: #b71c1c; }
header .week { font-size: 17px; font-weight: 600; }
header .meta { color: #555; }
nav ol { columns: 3; margin: 4px 0 4px; padding-left: 20px; }
nav .provinces { margin: 0 0 8px; font-size: 11px; }
nav a { color: #1565c0; text-decoration: none; }
section { margin-top: 18px; }
section.page { break-before: page; }
h2 { font-size: 17px; border-bottom: 1px solid #ccc; padding-bottom: 3px; margin: 0 0 8px; color: #0d47a1;
  break-after: avoid; }
figure { margin: 6px 0 8px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg { max-width: 100%; height: auto; }
.row { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
.row > figure { flex: 0 1 auto; }
table { border-collapse: collapse; font-size: 10.5px; }
th, td { border: 1px solid #ddd; padding: 2px 4px; text-align: left; vertical-align: middle; }
td { white-space: nowrap; }
thead th { vertical-align: bottom; }
thead th { background: #eef3fb; }
tfoot th { background: #f5f5f5; }
tr { break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.spark, th.spark { padding: 0 2px; }
td.spark svg { display: block; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; }
.level { white-space: nowrap; }
.note, footer { color: #666; font-size: 11px; }
@media print { body { max-width: none; padding: 0; } }
`;

/** The report as one self-contained HTML file: styles and charts inline, nothing fetched when it is opened. */
export function renderHtml(doc: ReportDocument, fmt: Formatter): string {
  const link = (section: ReportDocument['sections'][number]) =>
    `<a href="#${escapeHtml(section.id)}">${escapeHtml(section.title)}</a>`;
  const contents = `<ol>${doc.sections
    .filter((section) => !section.newPage)
    .map((section) => `<li>${link(section)}</li>`)
    .join('')}</ol><p class="provinces">${doc.sections
    .filter((section) => section.newPage)
    .map(link)
    .join(' · ')}</p>`;
  const sections = doc.sections
    .map(
      (section) =>
        `<section id="${escapeHtml(section.id)}"${section.newPage ? ' class="page"' : ''}>
<h2>${escapeHtml(section.title)}</h2>
${section.blocks.map((block) => blockHtml(block, fmt)).join('\n')}
</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${doc.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="report-week" content="${escapeHtml(doc.weekLabel)}">
<title>${escapeHtml(`${doc.title} · ${doc.scopeName} · ${doc.weekTitle}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<div class="week">${escapeHtml(doc.scopeName)} · ${escapeHtml(doc.weekTitle)}</div>
<div class="meta">${escapeHtml(doc.weekRange)} · ${escapeHtml(doc.generatedAt)}</div>
</header>
<nav><strong>${escapeHtml(fmt.t('contents'))}</strong>${contents}</nav>
${sections}
<footer><p>${escapeHtml(fmt.t('source'))}</p></footer>
</body>
</html>
`;
}

/**
 * One table as CSV: UTF-8 with a byte-order mark (without it spreadsheet programs read Vietnamese as Latin-1),
 * headers in the report's language, numbers unformatted (full precision, dot decimals) so that they compute,
 * the totals row last.
 */
export function tableCsv(table: ReportTable, fmt: Formatter): string {
  const columns = table.columns.filter((column) => column.kind !== 'svg');
  const line = (row: Row) =>
    columns
      .map((column) => {
        const value = row[column.key] ?? null;
        if (value === null) return '';
        if (typeof value === 'number') return String(value);
        return csvField(column.kind === 'level' && isLevel(value) ? fmt.level(value) : value);
      })
      .join(',');
  const lines = [columns.map((column) => csvField(column.label)).join(','), ...table.rows.map(line)];
  if (table.total) lines.push(line(table.total));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
