import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { addDays, DAY_MS, provinceOfCommune, vnDayStartMs } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { testKafka } from '../support/kafka.ts';

export interface IndicatorFigures {
  pressure_index?: number | null;
  level?: string | null;
  on_time_rate?: number | null;
  open_end?: number;
  overdue_open?: number;
  backlog_weeks?: number | null;
  received?: number;
  actual_fte?: number | null;
}

function levelOf(index: number | null): string | null {
  if (index === null) return null;
  return index < 0.8 ? 'low' : index < 1 ? 'normal' : index < 1.2 ? 'elevated' : index < 1.5 ? 'high' : 'critical';
}

/**
 * A pressure_indicators_rows row as the estimator writes it. rolling7d rows of a day end at 10:00 Vietnam
 * time, seven days after period_start (an hourly run of that morning).
 */
export function indicatorRow(
  kind: 'rolling7d' | 'week',
  periodStart: string,
  commune: string,
  runId: string,
  figures: IndicatorFigures = {},
) {
  const pressure = figures.pressure_index === undefined ? 1 : figures.pressure_index;
  const actual = figures.actual_fte === undefined ? 4 : figures.actual_fte;
  const windowEnd = vnDayStartMs(addDays(periodStart, 7)) + (kind === 'rolling7d' ? 10 * 3_600_000 : 0);
  return {
    period_kind: kind,
    period_start: periodStart,
    window_end: new Date(windowEnd).toISOString(),
    commune_code: commune,
    province_code: provinceOfCommune(commune) ?? '00',
    received: figures.received ?? 120,
    workload_minutes: 9_000,
    required_fte: pressure === null || actual === null ? 5 : pressure * actual,
    actual_fte: actual,
    wisn_ratio: pressure === null ? null : 1 / pressure,
    wisn_difference: null,
    pressure_index: pressure,
    level: figures.level === undefined ? levelOf(pressure) : figures.level,
    no_staff: 0,
    missing_staffing: pressure === null ? 1 : 0,
    counters_needed: 2,
    counters_open: 2,
    counter_arrivals_per_hour: 6,
    counter_handling_minutes: 12,
    open_end: figures.open_end ?? 40,
    overdue_open: figures.overdue_open ?? 5,
    on_time_rate: figures.on_time_rate === undefined ? 0.9 : figures.on_time_rate,
    online_share: 0.4,
    backlog_weeks: figures.backlog_weeks === undefined ? 0.8 : figures.backlog_weeks,
    forecast_received_next: 118,
    forecast_method: 'seasonal_naive',
    forecast_mape: null,
    proposed_staff: 6,
    unknown_procedure_received: 0,
    params_version: 'test',
    run_id: runId,
    computed_at: new Date(windowEnd).toISOString(),
  };
}

/** The estimation_runs row of a run over one period (what the alerter watches). */
export function runRow(kind: 'rolling7d' | 'week', periodStart: string, runId: string, computedAtMs: number) {
  const windowEnd = vnDayStartMs(addDays(periodStart, 7)) + (kind === 'rolling7d' ? 10 * 3_600_000 : 0);
  return {
    run_id: runId,
    period_kind: kind,
    period_start: periodStart,
    window_end: new Date(windowEnd).toISOString(),
    trigger: 'test',
    communes: 1,
    communes_with_index: 1,
    communes_without_staffing: 0,
    unknown_procedure_received: 0,
    params_version: 'test',
    params: '{}',
    duration_ms: 1,
    computed_at: new Date(computedAtMs).toISOString(),
  };
}

/**
 * Stores a daily rolling row per commune for each day from `firstDay` (values[i] on day i), and one
 * estimation run for the last day: what the estimator leaves after a run that ends a stretch of days.
 */
export async function storeDays(
  warehouse: Warehouse,
  firstDay: string,
  communes: Record<string, readonly (IndicatorFigures | number)[]>,
  computedAtMs: number,
): Promise<{ runId: string; lastDay: string }> {
  const runId = randomUUID();
  const rows: ReturnType<typeof indicatorRow>[] = [];
  let lastDay = firstDay;
  for (const [commune, values] of Object.entries(communes)) {
    values.forEach((value, index) => {
      const day = addDays(firstDay, index);
      if (day > lastDay) lastDay = day;
      const figures = typeof value === 'number' ? { pressure_index: value } : value;
      rows.push(indicatorRow('rolling7d', day, commune, runId, figures));
    });
  }
  await warehouse.insert('pressure_indicators_rows', rows);
  await warehouse.insert('estimation_runs', [runRow('rolling7d', lastDay, runId, computedAtMs)]);
  return { runId, lastDay };
}

/** The instant the rolling window of a period_start day ends (10:00, seven days later). */
export function windowEndOf(periodStart: string): number {
  return vnDayStartMs(addDays(periodStart, 7)) + 10 * 3_600_000;
}

export const HOUR_MS = 3_600_000;
export { DAY_MS };

export interface ReceivedWebhook {
  path: string;
  delivery: string;
  signature: string;
  body: string;
}

/** A local HTTP receiver of webhooks; `failFirst` answers 503 to that many requests first. */
export async function startReceiver(options: { port?: number; failFirst?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  let failures = options.failFirst ?? 0;
  let requests = 0;
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      requests++;
      if (failures > 0) {
        failures--;
        response.writeHead(503).end('not now');
        return;
      }
      received.push({
        path: request.url ?? '',
        delivery: String(request.headers['x-commune-pulse-delivery'] ?? ''),
        signature: String(request.headers['x-commune-pulse-signature'] ?? ''),
        body,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a receiver does with the signature header: recompute the HMAC over the raw body, compare in constant time. */
export function signatureValid(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`);
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  deliveryHeader: string;
}

/** A real SMTP server (smtp-server) on a free local port, parsing each message it accepts. */
export async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const parsing: Promise<void>[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(',');
        parsing.push(
          simpleParser(Buffer.concat(chunks)).then((parsed) => {
            mails.push({
              to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              messageId: parsed.messageId ?? '',
              deliveryHeader: String(parsed.headers.get('x-commune-pulse-delivery') ?? ''),
            });
          }),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    settled: () => Promise.all(parsing),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Reads a topic from the beginning until `done` says the messages it wants arrived (the topic is shared
 * with earlier runs: the caller filters), or the timeout passed.
 */
export async function readTopicUntil(
  brokers: string[],
  topic: string,
  done: (messages: readonly ConsumedAlert[]) => boolean,
  timeoutMs: number,
): Promise<ConsumedAlert[]> {
  const consumer = testKafka(brokers).consumer({ groupId: `alerts-reader-${randomUUID()}` });
  const messages: ConsumedAlert[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
          if (done(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export interface ConsumedAlert {
  key: string;
  value: string;
}
