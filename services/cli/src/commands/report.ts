import { join } from 'node:path';
import {
  checkProvince,
  generateReport,
  isLang,
  loadReporterConfig,
  pdfRenderer,
  reportFiles,
} from '@commune-pulse/reporter';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse } from '@commune-pulse/warehouse';
import { environmentFrom, parseCommand, UsageError } from '../args.ts';
import { periodRequestFrom } from './estimate.ts';

export const REPORT_USAGE = `usage: pnpm cli report --week <YYYY-Www> [--province <code>] [--lang vi|en] [--out <dir>] [--json]
  writes the weekly pressure report of a week from the warehouse: one self-contained HTML file, its PDF
  (headless Chromium: CHROMIUM_PATH, default /usr/bin/chromium) and a CSV per table, records it in the
  reports table and prints the files. National unless --province names a 2-digit province code; Vietnamese
  unless --lang en. Default folder: REPORTS_DIR/<week> (REPORTS_DIR defaults to ./reports).`;

export async function reportCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      week: { type: 'string' },
      province: { type: 'string' },
      lang: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    REPORT_USAGE,
  );
  if (values.help) {
    console.log(REPORT_USAGE);
    return;
  }
  if (values.week === undefined) throw new UsageError('give the week: --week <YYYY-Www>, e.g. 2026-W47', REPORT_USAGE);
  periodRequestFrom({ week: values.week }, REPORT_USAGE);
  const lang = values.lang ?? 'vi';
  if (!isLang(lang)) throw new UsageError(`--lang takes vi or en, got ${JSON.stringify(lang)}`, REPORT_USAGE);
  try {
    checkProvince(values.province);
  } catch (error) {
    throw new UsageError((error as Error).message, REPORT_USAGE);
  }
  const config = loadReporterConfig(environmentFrom(values));
  const logger = createLogger('report', config.logLevel === 'info' ? 'warn' : config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  const pdf = pdfRenderer(config.chromiumPath);
  try {
    const report = await generateReport(
      { warehouse, pdf, logger },
      {
        week: values.week,
        provinceCode: values.province,
        lang,
        outDir: values.out ?? join(config.reportsDir, values.week),
        trigger: 'on-demand:cli',
      },
    );
    if (values.json) {
      console.log(JSON.stringify({ report_id: report.reportId, week: report.week, files: reportFiles(report) }));
      return;
    }
    for (const file of reportFiles(report)) console.log(file.path);
  } finally {
    await pdf.close();
    await warehouse.close();
  }
}
