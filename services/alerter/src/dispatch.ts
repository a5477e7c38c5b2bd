import { createHash } from 'node:crypto';
import { type CommuneAlertMessage, communeAlertMessage } from '@commune-pulse/contracts';
import { formatDay, vnDayNumber } from '@commune-pulse/reference-data';
import type { Transporter } from 'nodemailer';
import { type EvaluationContext, ruleById } from './evaluate.ts';
import {
  DELIVERY_HEADER,
  digestEmail,
  type EmailContent,
  immediateEmail,
  SIGNATURE_HEADER,
  signBody,
} from './messages.ts';
import {
  dueDeliveries,
  failedAttempts,
  loadDelivery,
  type OutboxRow,
  recordAttempts,
  setDeliveryStatus,
} from './outbox.ts';
import type { WebhookRoute } from './routing.ts';
import { silenceFor, silencesEndingAfter } from './silences.ts';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff, capped: base · 2^(failures − 1), at most maxMs. */
export function retryDelayMs(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
}

export interface PublishedAlert {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface AlertPublisher {
  publish(messages: readonly PublishedAlert[]): Promise<void>;
  close(): Promise<void>;
}

/** Webhook deliveries handed to BullMQ (REDIS_URL): the job id is the delivery id, so adding one twice is a no-op. */
export interface WebhookJobs {
  enqueue(deliveryIds: readonly string[]): Promise<void>;
}

export interface DispatchContext extends EvaluationContext {
  mailer?: Transporter | undefined;
  emailFrom: string;
  publisher?: AlertPublisher | undefined;
  webhookJobs?: WebhookJobs | undefined;
  retry: RetryPolicy;
  webhookTimeoutMs: number;
}

export interface DispatchSummary {
  sent: number;
  failed: number;
  silenced: number;
  dropped: number;
  queued: number;
  /** due but not sendable here (no SMTP_URL, no Kafka, or waiting for their backoff) */
  waiting: number;
}

/** POSTs a signed body; anything but a 2xx answer within the timeout is a failure. */
export async function postWebhook(
  route: WebhookRoute,
  delivery: string,
  body: string,
  timeoutMs: number,
): Promise<void> {
  const response = await fetch(route.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'commune-pulse-alerter',
      [SIGNATURE_HEADER]: signBody(route.secret, body),
      [DELIVERY_HEADER]: delivery,
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status} from webhook ${route.id}`);
}

export type WebhookOutcome = 'sent' | 'failed' | 'silenced' | 'dropped' | 'not pending';

/** One webhook delivery: the silence check, the POST, the attempt and the new status recorded. */
async function deliverWebhookRow(context: DispatchContext, row: OutboxRow): Promise<WebhookOutcome> {
  const { warehouse } = context;
  const now = context.now ?? Date.now;
  const route = context.routing.webhooks.find((webhook) => `webhook:${webhook.id}` === row.recipient);
  if (!route) {
    await setDeliveryStatus(warehouse, [row], 'dropped', 'the webhook is no longer in the routing', now());
    return 'dropped';
  }
  const started = performance.now();
  try {
    await postWebhook(route, row.delivery_id, row.payload, context.webhookTimeoutMs);
  } catch (error) {
    const message = (error as Error).message;
    await recordAttempts(
      warehouse,
      [{ delivery_id: row.delivery_id, ok: false, error: message, duration_ms: performance.now() - started }],
      now(),
    );
    context.logger.warn({ delivery: row.delivery_id, webhook: route.id, err: message }, 'webhook delivery failed');
    return 'failed';
  }
  await recordAttempts(
    warehouse,
    [{ delivery_id: row.delivery_id, ok: true, error: '', duration_ms: performance.now() - started }],
    now(),
  );
  await setDeliveryStatus(warehouse, [row], 'sent', `webhook ${route.id}`, now());
  return 'sent';
}

/**
 * The BullMQ worker's job: the delivery as the outbox has it now. A delivery no longer pending (sent by an
 * earlier attempt whose job outlived it, silenced since) is not sent again.
 */
export async function deliverWebhookById(context: DispatchContext, id: string): Promise<WebhookOutcome> {
  const row = await loadDelivery(context.warehouse, id);
  if (row?.status !== 'pending') return 'not pending';
  const now = (context.now ?? Date.now)();
  const silence = silenceFor(await silencesEndingAfter(context.warehouse, row.transition_at_ms), row, now);
  if (silence) {
    await setDeliveryStatus(context.warehouse, [row], 'silenced', silenceDetail(silence), now);
    return 'silenced';
  }
  return deliverWebhookRow(context, row);
}

function silenceDetail(silence: { silence_id: string; reason: string }): string {
  return `silence ${silence.silence_id}: ${silence.reason}`;
}

function messageOf(row: OutboxRow): CommuneAlertMessage {
  const parsed = JSON.parse(row.payload) as Record<string, unknown>;
  delete parsed.delivery_id;
  return communeAlertMessage.parse(parsed);
}

function recipientName(context: DispatchContext, recipient: string): string | undefined {
  return context.routing.emails.find((email) => `email:${email.address}` === recipient)?.name;
}

async function sendEmail(
  context: DispatchContext,
  mailer: Transporter,
  rows: readonly OutboxRow[],
  content: EmailContent,
): Promise<boolean> {
  const first = rows[0];
  if (!first) return true;
  const now = context.now ?? Date.now;
  const ids = rows.map((row) => row.delivery_id).sort();
  // The same deliveries always make the same Message-ID: a mail resent after a crash between the SMTP answer
  // and the outbox update can be recognised by the receiving system.
  const messageKey =
    ids.length === 1 ? ids[0] : createHash('sha256').update(ids.join('\u0000')).digest('hex').slice(0, 32);
  const started = performance.now();
  try {
    await mailer.sendMail({
      from: context.emailFrom,
      to: { name: recipientName(context, first.recipient) ?? '', address: first.recipient.slice('email:'.length) },
      subject: content.subject,
      text: content.text,
      messageId: `<${messageKey}@commune-pulse>`,
      headers: { [DELIVERY_HEADER]: ids.join(',') },
    });
  } catch (error) {
    const message = (error as Error).message;
    await recordAttempts(
      context.warehouse,
      rows.map((row) => ({
        delivery_id: row.delivery_id,
        ok: false,
        error: message,
        duration_ms: performance.now() - started,
      })),
      now(),
    );
    context.logger.warn({ recipient: first.recipient, deliveries: ids.length, err: message }, 'e-mail failed');
    return false;
  }
  await recordAttempts(
    context.warehouse,
    rows.map((row) => ({
      delivery_id: row.delivery_id,
      ok: true,
      error: '',
      duration_ms: performance.now() - started,
    })),
    now(),
  );
  await setDeliveryStatus(context.warehouse, rows, 'sent', `e-mail <${messageKey}@commune-pulse>`, now());
  return true;
}

/**
 * Sends what the outbox holds that is due: topic messages, webhooks (or hands them to BullMQ), immediate
 * e-mails one by one and digests one per recipient and digest time. Deliveries that failed wait for their
 * backoff (from the attempts recorded in the warehouse, so a restart keeps the schedule).
 */
export async function dispatchDue(context: DispatchContext): Promise<DispatchSummary> {
  const { warehouse } = context;
  const now = context.now ?? Date.now;
  const summary: DispatchSummary = { sent: 0, failed: 0, silenced: 0, dropped: 0, queued: 0, waiting: 0 };
  const nowMs = now();
  const due = await dueDeliveries(warehouse, nowMs);
  if (due.length === 0) return summary;

  const silences = await silencesEndingAfter(warehouse, Math.min(...due.map((row) => row.transition_at_ms)));
  const active: OutboxRow[] = [];
  for (const row of due) {
    const silence = row.channel === 'kafka' ? undefined : silenceFor(silences, row, nowMs);
    if (silence) {
      await setDeliveryStatus(warehouse, [row], 'silenced', silenceDetail(silence), nowMs);
      summary.silenced++;
    } else {
      active.push(row);
    }
  }

  const failures = await failedAttempts(
    warehouse,
    active
      .filter((row) => row.channel !== 'kafka' && !(row.channel === 'webhook' && context.webhookJobs))
      .map((row) => row.delivery_id),
  );
  const ready = (row: OutboxRow) => {
    const failed = failures.get(row.delivery_id);
    return !failed || failed.attempts === 0 || nowMs >= failed.last_ms + retryDelayMs(failed.attempts, context.retry);
  };

  const topic = active.filter((row) => row.channel === 'kafka');
  if (topic.length > 0 && context.publisher) {
    const messages = topic.map((row) => {
      const message = communeAlertMessage.parse({
        ...messageOf(row),
        silenced: silenceFor(silences, row, nowMs) !== undefined,
      });
      return {
        key: `${message.rule}:${message.commune_code}`,
        value: JSON.stringify(message),
        headers: { delivery_id: row.delivery_id, transition_id: row.transition_id },
      };
    });
    try {
      await context.publisher.publish(messages);
      await setDeliveryStatus(warehouse, topic, 'sent', `topic ${topic[0]?.recipient.slice('kafka:'.length)}`, now());
      summary.sent += topic.length;
    } catch (error) {
      context.logger.warn({ err: (error as Error).message, messages: topic.length }, 'publishing alerts failed');
      summary.failed += topic.length;
    }
  } else {
    summary.waiting += topic.length;
  }

  const webhooks = active.filter((row) => row.channel === 'webhook');
  if (context.webhookJobs) {
    await context.webhookJobs.enqueue(webhooks.map((row) => row.delivery_id));
    summary.queued += webhooks.length;
  } else {
    for (const row of webhooks) {
      if (!ready(row)) {
        summary.waiting++;
        continue;
      }
      const outcome = await deliverWebhookRow(context, row);
      if (outcome === 'sent') summary.sent++;
      else if (outcome === 'failed') summary.failed++;
      else if (outcome === 'dropped') summary.dropped++;
    }
  }

  const emails = active.filter((row) => row.channel === 'email');
  const mailer = context.mailer;
  if (!mailer) {
    summary.waiting += emails.length;
    return summary;
  }
  const groups = new Map<string, OutboxRow[]>();
  for (const row of emails) {
    if (!ready(row)) {
      summary.waiting++;
      continue;
    }
    const key = row.mode === 'digest' ? `${row.recipient}\u0000${row.due_at_ms}` : row.delivery_id;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const rows of groups.values()) {
    const items = rows.map((row) => ({ message: messageOf(row), rule: ruleById(context.rules, row.rule) }));
    const [first, item] = [rows[0], items[0]];
    if (!first || !item) continue;
    const name = recipientName(context, first.recipient);
    const content =
      first.mode === 'digest'
        ? digestEmail(items, formatDay(vnDayNumber(first.due_at_ms)), name)
        : immediateEmail(item.message, item.rule, name);
    if (await sendEmail(context, mailer, rows, content)) summary.sent += rows.length;
    else summary.failed += rows.length;
  }
  return summary;
}
