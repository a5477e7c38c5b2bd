import { addDays } from '@commune-pulse/reference-data';
import type { ReportData } from './data.ts';
import { type BuildOptions, type ReportDocument, scopeName } from './document.ts';
import type { Formatter } from './i18n.ts';
import { alertsSection } from './sections/alerts.ts';
import { changesSection } from './sections/changes.ts';
import { type ReportContext, type ReportPart, reportContext } from './sections/context.ts';
import { provinceSections } from './sections/provinces.ts';
import { qualitySection } from './sections/quality.ts';
import { summarySection } from './sections/summary.ts';
import { topSection } from './sections/top.ts';

export * from './document.ts';

/**
 * The report's sections in their order: each lays out its part from the figures alone. A new section is a
 * module in sections/ with the same shape, listed here.
 */
const SECTIONS: readonly ((data: ReportData, context: ReportContext) => ReportPart)[] = [
  summarySection,
  topSection,
  changesSection,
  alertsSection,
  qualitySection,
  provinceSections,
];

/** Lays out the report: its sections, charts and tables, from the figures alone. */
export function buildReport(data: ReportData, fmt: Formatter, options: BuildOptions): ReportDocument {
  const context = reportContext(data, fmt);
  const parts = SECTIONS.map((section) => section(data, context));
  const { t } = context;
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
    sections: parts.flatMap((part) => part.sections),
    tables: parts.flatMap((part) => part.tables),
  };
}
