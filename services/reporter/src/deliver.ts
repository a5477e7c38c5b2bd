import { createHmac } from 'node:crypto';
import { basename } from 'node:path';
import type { Logger } from '@commune-pulse/runtime';
import type { Warehouse } from '@commune-pulse/warehouse';
import nodemailer from 'nodemailer';
import { type GeneratedReport, reportFiles } from './generate.ts';
import { formatter } from './i18n.ts';
import { provinceName } from './model.ts';
import type { Recipients } from './routing.ts';

export interface DeliveryOptions {
  /** SMTP server for e-mail (`smtp://user:pass@host:587`); e-mail recipients are skipped, with an error, without it */
  smtpUrl?: string | undefined;
  mailFrom: string;
  /** pauses between attempts; one attempt more than pauses */
  retryDelaysMs?: readonly number[];
}

export interface DeliveryOutcome {
  channel: 'email' | 'webhook';
  recipient: string;
  outcome: 'sent' | 'failed';
  detail: string;
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-commune-pulse-signature';
const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000];
const WEBHOOK_TIMEOUT_MS = 15_000;

/** What a webhook receives: the edition and where its files are, with their SHA-256. */
export function webhookPayload(report: GeneratedReport) {
  return {
    type: 'weekly_pressure_report',
    report_id: report.reportId,
    week: report.week,
    scope: report.scope,
    province_code: report.provinceCode,
    lang: report.lang,
    generated_at: new Date(report.generatedAtMs).toISOString(),
    files: reportFiles(report).map((file) => ({
      kind: file.kind,
      ...(file.table ? { table: file.table } : {}),
      path: file.path,
      sha256: file.sha256,
      bytes: file.bytes,
    })),
  };
}

/** `sha256=<hex>` of the body under the route's secret, as GitHub-style receivers check it. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A webhook URL as it may be logged: no credentials, no query string (where tokens tend to live). */
function loggedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

async function withRetries(delays: readonly number[], attempt: () => Promise<string>): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = delays[i];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Announces one edition to its recipients: an e-mail with the PDF attached, a signed webhook with the file paths.
 * Each recipient is tried a few times; a failure is recorded and logged, never retried by re-running the job,
 * which would send the edition again to those already served.
 */
export async function deliverReport(
  report: GeneratedReport,
  recipients: Recipients,
  options: DeliveryOptions & { warehouse: Warehouse; logger: Logger; now?: () => number },
): Promise<DeliveryOutcome[]> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const outcomes: DeliveryOutcome[] = [];
  const record = (channel: DeliveryOutcome['channel'], recipient: string, result: PromiseSettledResult<string>) => {
    const outcome: DeliveryOutcome =
      result.status === 'fulfilled'
        ? { channel, recipient, outcome: 'sent', detail: result.value }
        : { channel, recipient, outcome: 'failed', detail: (result.reason as Error)?.message ?? String(result.reason) };
    outcomes.push(outcome);
    const log = { reportId: report.reportId, channel, recipient, detail: outcome.detail };
    if (outcome.outcome === 'sent') options.logger.info(log, 'report delivered');
    else options.logger.error(log, 'report delivery failed');
  };

  if (recipients.emails.length > 0) {
    const result = await Promise.allSettled([
      options.smtpUrl === undefined
        ? Promise.reject(new Error('SMTP_URL is not set: no e-mail can be sent'))
        : withRetries(delays, () => sendMail(report, recipients.emails, options.smtpUrl as string, options.mailFrom)),
    ]);
    for (const address of recipients.emails) record('email', address, result[0] as PromiseSettledResult<string>);
  }
  for (const webhook of recipients.webhooks) {
    const [result] = await Promise.allSettled([withRetries(delays, () => postWebhook(report, webhook))]);
    record('webhook', webhook.id, result as PromiseSettledResult<string>);
  }

  const now = options.now ?? Date.now;
  await options.warehouse.insert(
    'report_deliveries',
    outcomes.map((outcome) => ({
      report_id: report.reportId,
      week: report.week,
      channel: outcome.channel,
      recipient: outcome.recipient,
      outcome: outcome.outcome,
      detail: outcome.detail.slice(0, 1_000),
      delivered_at: new Date(now()).toISOString(),
    })),
  );
  return outcomes;
}

async function sendMail(report: GeneratedReport, to: string[], smtpUrl: string, from: string): Promise<string> {
  const fmt = formatter(report.lang);
  const scope = report.provinceCode ? provinceName(report.provinceCode) : fmt.t('national');
  const subject = `${fmt.t('title')} · ${scope} · ${fmt.week(report.week)}`;
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    const info = await transport.sendMail({
      from,
      to,
      subject,
      text: [
        subject,
        '',
        fmt.t('generatedAt', { at: fmt.dateTime(report.generatedAtMs) }),
        '',
        ...reportFiles(report).map((file) => `${file.path}  sha256:${file.sha256}`),
      ].join('\n'),
      attachments: [{ filename: basename(report.pdf.path), path: report.pdf.path, contentType: 'application/pdf' }],
    });
    return `message ${info.messageId}`;
  } finally {
    transport.close();
  }
}

async function postWebhook(report: GeneratedReport, webhook: Recipients['webhooks'][number]) {
  const body = JSON.stringify(webhookPayload(report));
  if (webhook.secret.length < 16) throw new Error(`webhook ${webhook.id} has no secret: it is not sent unsigned`);
  const headers = { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signBody(body, webhook.secret) };
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${loggedUrl(webhook.url)}`);
  return `HTTP ${response.status}`;
}
