import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDay, provinceByCode, vnDayNumber } from '@commune-pulse/reference-data';
import { ConfigError, type Logger } from '@commune-pulse/runtime';
import type { Warehouse } from '@commune-pulse/warehouse';
import { loadReportData, type ReportScope } from './data.ts';
import { formatter, type Lang } from './i18n.ts';
import { buildReport } from './model.ts';
import type { PdfRenderer } from './pdf.ts';
import { renderHtml, tableCsv } from './render.ts';

export interface ReportRequest {
  /** ISO week, `2026-W47` */
  week: string;
  /** a province's edition; the national one when absent */
  provinceCode?: string | undefined;
  lang: Lang;
  /** the folder the files go to */
  outDir: string;
  trigger: string;
}

export interface ReportFile {
  kind: 'html' | 'pdf' | 'csv';
  /** the table a CSV holds */
  table?: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface GeneratedReport {
  reportId: string;
  week: string;
  scope: 'national' | 'province';
  provinceCode: string | null;
  lang: Lang;
  generatedAtMs: number;
  html: ReportFile;
  pdf: ReportFile;
  csv: ReportFile[];
}

export interface ReportDependencies {
  warehouse: Warehouse;
  pdf: PdfRenderer;
  logger: Logger;
  now?: () => number;
}

/** The week's indicators are not in the warehouse yet: the estimation has not run (or not finished). */
export class MissingIndicatorsError extends Error {
  override name = 'MissingIndicatorsError';
}

export function checkProvince(code: string | undefined): void {
  if (code !== undefined && provinceByCode(code) === undefined) {
    throw new ConfigError(`unknown province code ${JSON.stringify(code)}: give a 2-digit code such as 01 (Hà Nội)`);
  }
}

export function reportStem(week: string, provinceCode: string | null | undefined, lang: Lang): string {
  return `weekly-pressure-${week}-${provinceCode ? `province-${provinceCode}` : 'national'}-${lang}`;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Written under a temporary name and renamed: a reader never sees half a file. */
function writeReportFile(path: string, data: string | Buffer, kind: ReportFile['kind'], table?: string): ReportFile {
  writeFileSync(`${path}.partial`, data);
  renameSync(`${path}.partial`, path);
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  return { kind, ...(table ? { table } : {}), path, sha256: sha256(data), bytes };
}

/**
 * One edition of the weekly report: reads the figures, writes the HTML, its PDF and a CSV per table, and records
 * the edition in `reports`.
 */
export async function generateReport(
  dependencies: ReportDependencies,
  request: ReportRequest,
): Promise<GeneratedReport> {
  checkProvince(request.provinceCode);
  const now = dependencies.now ?? Date.now;
  const generatedAtMs = now();
  const scope: ReportScope = request.provinceCode
    ? { kind: 'province', provinceCode: request.provinceCode }
    : { kind: 'national' };
  const data = await loadReportData(dependencies.warehouse, {
    week: request.week,
    scope,
    asOfDay: formatDay(vnDayNumber(generatedAtMs)),
  });
  if (data.total.communes === 0) {
    throw new MissingIndicatorsError(
      `no pressure indicators for ${request.week}${request.provinceCode ? ` in province ${request.provinceCode}` : ''}: ` +
        `run the weekly estimation first (pnpm cli estimate --week ${request.week})`,
    );
  }
  const fmt = formatter(request.lang);
  const doc = buildReport(data, fmt, { generatedAtMs });
  const html = renderHtml(doc, fmt);
  const pdf = await dependencies.pdf.render(html, doc.footer, fmt.t('pageFooter'));

  const outDir = resolve(request.outDir);
  mkdirSync(outDir, { recursive: true });
  const stem = reportStem(request.week, request.provinceCode, request.lang);
  const htmlFile = writeReportFile(join(outDir, `${stem}.html`), html, 'html');
  const pdfFile = writeReportFile(join(outDir, `${stem}.pdf`), pdf, 'pdf');
  const csvFiles = doc.tables.map((table) =>
    writeReportFile(join(outDir, `${stem}-${table.id}.csv`), tableCsv(table, fmt), 'csv', table.id),
  );

  const report: GeneratedReport = {
    reportId: randomUUID(),
    week: request.week,
    scope: scope.kind,
    provinceCode: request.provinceCode ?? null,
    lang: request.lang,
    generatedAtMs,
    html: htmlFile,
    pdf: pdfFile,
    csv: csvFiles,
  };
  await dependencies.warehouse.insert('reports', [
    {
      report_id: report.reportId,
      week: report.week,
      week_start: data.period.startDay,
      scope: report.scope,
      province_code: report.provinceCode ?? '',
      lang: report.lang,
      trigger: request.trigger,
      html_path: htmlFile.path,
      html_sha256: htmlFile.sha256,
      pdf_path: pdfFile.path,
      pdf_sha256: pdfFile.sha256,
      pdf_bytes: pdfFile.bytes,
      csv_paths: csvFiles.map((file) => file.path),
      csv_sha256: csvFiles.map((file) => file.sha256),
      generated_at: new Date(generatedAtMs).toISOString(),
    },
  ]);
  dependencies.logger.info(
    {
      reportId: report.reportId,
      week: report.week,
      scope: report.scope,
      province: report.provinceCode,
      lang: report.lang,
      pdf: pdfFile.path,
    },
    'report written',
  );
  return report;
}

export function reportFiles(report: GeneratedReport): ReportFile[] {
  return [report.html, report.pdf, ...report.csv];
}
