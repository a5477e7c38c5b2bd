import { existsSync, realpathSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import { z } from 'zod';
import { type Endpoint, type FileAnswer, IN_SCOPE, noParams, notFound, scopeParams, weekLabel } from '../endpoint.ts';
import type { Scope } from '../tokens.ts';

/** The weekly reports already generated, and their files. */
const reportRow = z.object({
  report_id: z.string(),
  week: z.string(),
  scope: z.string(),
  province_code: z.string(),
  lang: z.string(),
  generated_at: z.string(),
  files: z.array(z.object({ kind: z.string(), name: z.string(), url: z.string(), sha256: z.string() })),
});

interface StoredReport {
  report_id: string;
  week: string;
  scope: string;
  province_code: string;
  lang: string;
  generated_at: string;
  html_path: string;
  html_sha256: string;
  pdf_path: string;
  pdf_sha256: string;
  csv_paths: string[];
  csv_sha256: string[];
}

const REPORT_COLUMNS = `report_id, week, scope, province_code, lang, toString(generated_at) AS generated_at, html_path,
  html_sha256, pdf_path, pdf_sha256, csv_paths, csv_sha256`;
const REPORT_SCOPE = `(${IN_SCOPE} OR (province_code = '' AND {national:Bool}))`;
const reportScope = (scope: Scope) => ({ ...scopeParams(scope), national: scope.provinceCode === undefined });

function reportFiles(report: StoredReport) {
  const files = [
    { kind: 'html', path: report.html_path, sha256: report.html_sha256 },
    { kind: 'pdf', path: report.pdf_path, sha256: report.pdf_sha256 },
    ...report.csv_paths.map((path, i) => ({ kind: 'csv', path, sha256: report.csv_sha256[i] ?? '' })),
  ];
  return files.map((file) => ({
    ...file,
    name: basename(file.path),
    url: `/api/v1/reports/${report.report_id}/files/${encodeURIComponent(basename(file.path))}`,
  }));
}

export const reports: Endpoint = {
  id: 'reports',
  method: 'GET',
  path: '/api/v1/reports',
  summary: 'Weekly reports produced',
  description:
    "The editions of the weekly report already generated (national ones for national tokens, your province's for a province token), with their files.",
  query: z.object({ week: weekLabel.optional() }),
  params: noParams,
  response: z.object({ items: z.array(reportRow) }),
  scope: 'province',
  async handler({ warehouse, scope, query }) {
    const week = (query as { week?: string }).week;
    const rows = await warehouse.query<StoredReport>(
      `SELECT ${REPORT_COLUMNS} FROM reports WHERE ${REPORT_SCOPE} ${week === undefined ? '' : 'AND week = {week:String}'}
       ORDER BY week_start DESC, generated_at DESC`,
      { ...reportScope(scope), week },
    );
    return {
      items: rows.map((row) => ({
        report_id: row.report_id,
        week: row.week,
        scope: row.scope,
        province_code: row.province_code,
        lang: row.lang,
        generated_at: row.generated_at,
        files: reportFiles(row).map(({ path: _path, ...file }) => file),
      })),
    };
  },
};

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

export const reportFile: Endpoint = {
  id: 'report-file',
  method: 'GET',
  path: '/api/v1/reports/:report_id/files/:name',
  summary: 'Download a report file',
  description:
    'One file of an edition (HTML, PDF or a CSV), as it was generated; 404 for an edition outside your provinces.',
  query: noParams,
  params: z.object({ report_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), name: z.string().min(1).max(255) }),
  response: z.string().meta({ description: 'the file' }),
  scope: 'province',
  async handler({ warehouse, scope, params, reportsDir }): Promise<FileAnswer> {
    const p = params as { report_id: string; name: string };
    const [row] = await warehouse.query<StoredReport>(
      `SELECT ${REPORT_COLUMNS} FROM reports WHERE report_id = {id:String} AND ${REPORT_SCOPE}
       ORDER BY generated_at DESC LIMIT 1`,
      { ...reportScope(scope), id: p.report_id },
    );
    const file = row === undefined ? undefined : reportFiles(row).find((candidate) => candidate.name === p.name);
    if (file === undefined) throw notFound(`no file ${p.name} of report ${p.report_id} in your provinces`);
    // The path comes from the warehouse: it is served only from inside the reports folder.
    const root = existsSync(reportsDir) ? realpathSync(reportsDir) : resolve(reportsDir);
    const real = existsSync(file.path) ? realpathSync(file.path) : undefined;
    if (real === undefined || !real.startsWith(root + sep)) {
      throw notFound(`the file ${p.name} is no longer in the reports folder`);
    }
    return {
      file: {
        path: real,
        contentType: CONTENT_TYPES[file.kind] ?? 'application/octet-stream',
        downloadName: file.name,
      },
    };
  },
};
