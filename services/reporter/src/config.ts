import { ConfigError, cronPattern, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';
import { LANGS, type Lang } from './i18n.ts';
import { DEFAULT_CHROMIUM_PATH } from './pdf.ts';
import { loadRouting, NO_ROUTING, type Routing } from './routing.ts';

/** Monday 07:00 Vietnam time: an hour after the estimator's weekly run (06:00) has stored the week. */
export const DEFAULT_REPORT_CRON = '0 7 * * 1';

const reporterEnvironment = z.object({
  REPORTS_DIR: z.string().min(1).default('./reports'),
  REPORT_WEEKLY_CRON: cronPattern.default(DEFAULT_REPORT_CRON),
  REPORT_LANG: z.enum(LANGS).default('vi'),
  REPORT_ROUTING_FILE: z.string().min(1).optional(),
  ALERT_ROUTING_FILE: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .refine((text) => /^smtps?:\/\//.test(text), 'must be a URL such as smtp://user:pass@mail.example.org:587')
    .optional(),
  REPORT_MAIL_FROM: z.string().min(3).default('commune-pulse <reports@localhost>'),
  CHROMIUM_PATH: z.string().min(1).default(DEFAULT_CHROMIUM_PATH),
});

export interface ReporterConfig extends RuntimeConfig {
  reportsDir: string;
  weeklyPattern: string;
  lang: Lang;
  /** REPORT_ROUTING_FILE, else the alerter's ALERT_ROUTING_FILE: one file says who hears about a province */
  routingFile: string | undefined;
  routing: Routing;
  smtpUrl: string | undefined;
  mailFrom: string;
  chromiumPath: string;
}

export function loadReporterConfig(env: Record<string, string | undefined>): ReporterConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = reporterEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad reporter configuration:\n${formatIssues(parsed.error, '  ')}`);
  const value = parsed.data;
  const routingFile = value.REPORT_ROUTING_FILE ?? value.ALERT_ROUTING_FILE;
  return {
    ...base,
    reportsDir: value.REPORTS_DIR,
    weeklyPattern: value.REPORT_WEEKLY_CRON,
    lang: value.REPORT_LANG,
    routingFile,
    // Read at start, so that a bad file stops the service now rather than on its first Monday.
    routing: routingFile ? loadRouting(routingFile, env) : NO_ROUTING,
    smtpUrl: value.SMTP_URL,
    mailFrom: value.REPORT_MAIL_FROM,
    chromiumPath: value.CHROMIUM_PATH,
  };
}
