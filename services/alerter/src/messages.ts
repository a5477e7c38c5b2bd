import { createHmac } from 'node:crypto';
import { type CommuneAlertMessage, communeAlertMessage } from '@commune-pulse/contracts';
import { communeByCode, isoWeekLabel, provinceByCode, vnDay } from '@commune-pulse/reference-data';
import type { Transition } from './core.ts';
import { type AlertRule, type Condition, describeCondition, type Metric, periodsRequired } from './rules.ts';

export const SIGNATURE_HEADER = 'X-Commune-Pulse-Signature';
export const DELIVERY_HEADER = 'X-Commune-Pulse-Delivery';

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The ISO week `pnpm cli explain` is asked about: the week itself, or the week holding most of a rolling window. */
export function isoWeekOf(transition: Pick<Transition, 'period_kind' | 'period_start' | 'window_end_ms'>): string {
  return transition.period_kind === 'week'
    ? isoWeekLabel(transition.period_start)
    : isoWeekLabel(vnDay(transition.window_end_ms - 3.5 * 86_400_000));
}

/** The published form of a firing or resolved transition (commune-alerts.v1, webhook bodies, e-mails). */
export function alertMessage(transition: Transition, rule: AlertRule, silenced = false): CommuneAlertMessage {
  if (transition.to_state !== 'firing' && transition.to_state !== 'resolved') {
    throw new Error(`only firing and resolved changes are published, not ${transition.to_state}`);
  }
  const commune = communeByCode(transition.commune_code);
  const week = isoWeekOf(transition);
  const condition = transition.to_state === 'firing' ? rule.fire : rule.resolve;
  return communeAlertMessage.parse({
    alert_id: transition.alert_id,
    transition_id: transition.transition_id,
    rule: transition.rule,
    level: transition.level,
    state: transition.to_state,
    previous_state: transition.from_state,
    episode: transition.episode,
    episode_start: transition.episode_start,
    commune_code: transition.commune_code,
    commune_name: commune?.name ?? transition.commune_code,
    province_code: transition.province_code,
    province_name: provinceByCode(transition.province_code)?.name ?? transition.province_code,
    period_kind: transition.period_kind,
    period_start: transition.period_start,
    window_end: new Date(transition.window_end_ms).toISOString(),
    iso_week: week,
    value: transition.value,
    threshold: transition.threshold,
    condition: describeCondition(rule.metric, condition, rule.period_kind),
    figures: transition.figures,
    at: new Date(transition.window_end_ms).toISOString(),
    run_id: transition.run_id,
    explain_command: `pnpm cli explain --commune ${transition.commune_code} --week ${week}`,
    silenced,
  });
}

/** The exact bytes POSTed (and signed): the message with its delivery id first. */
export function webhookBody(message: CommuneAlertMessage, delivery: string): string {
  return JSON.stringify({ delivery_id: delivery, ...message });
}

// E-mail, in Vietnamese.

const LEVEL_VI: Record<string, string> = { critical: 'nghiêm trọng', high: 'cao', warning: 'cần chú ý' };
const PRESSURE_LEVEL_VI: Record<string, string> = {
  low: 'thấp',
  normal: 'bình thường',
  elevated: 'hơi cao',
  high: 'cao',
  critical: 'nghiêm trọng',
};
const METRIC_VI: Record<Metric, string> = {
  pressure_index: 'chỉ số áp lực',
  on_time_rate: 'tỷ lệ giải quyết đúng hạn',
  backlog_weeks: 'số tuần cần để giải quyết hết hồ sơ tồn đọng',
};

const decimal = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });

function metricText(metric: Metric, value: number | null): string {
  if (value === null) return metric === 'backlog_weeks' ? 'không xác định (không có hồ sơ nào được giải quyết)' : '—';
  return metric === 'on_time_rate' ? percent.format(value) : decimal.format(value);
}

function conditionVi(rule: AlertRule, condition: Condition): string {
  const parts = [
    `${METRIC_VI[rule.metric]} ${condition.op.replace('>=', '≥').replace('<=', '≤')} ${metricText(rule.metric, condition.value)}`,
  ];
  const periods = periodsRequired(rule.period_kind, condition.for_days);
  if (periods > 1) parts.push(`trong ${periods} ${rule.period_kind === 'week' ? 'tuần' : 'ngày'} liên tiếp`);
  if (condition.min_resolved !== undefined) parts.push(`với ít nhất ${condition.min_resolved} hồ sơ đã giải quyết`);
  if (condition.backlog_growth_weeks !== undefined) {
    parts.push(`sau khi hồ sơ tồn đọng tăng ${condition.backlog_growth_weeks} tuần liên tiếp`);
  }
  return parts.join(' ');
}

/** dd/mm/yyyy, and HH:MM when asked, in Vietnam time. */
function vnDate(epochMs: number, withTime = false): string {
  const local = new Date(epochMs + 7 * 3_600_000).toISOString();
  const date = `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)}`;
  return withTime ? `${date} ${local.slice(11, 16)}` : date;
}

function dayVi(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

function periodVi(message: CommuneAlertMessage): string {
  const end = Date.parse(message.window_end);
  if (message.period_kind === 'week')
    return `tuần ${message.iso_week} (${dayVi(message.period_start)} – ${vnDate(end - 1)})`;
  return `7 ngày đến ${vnDate(end, true)} (giờ Việt Nam)`;
}

/** One alert as an e-mail paragraph. */
export function alertParagraph(message: CommuneAlertMessage, rule: AlertRule): string {
  const f = message.figures;
  const firing = message.state === 'firing';
  const lines = [
    `${firing ? '■ ĐANG CẢNH BÁO' : '□ ĐÃ HẾT CẢNH BÁO'}: ${rule.title} (${message.rule}), mức ${LEVEL_VI[message.level] ?? message.level}`,
    `  Đơn vị: ${message.commune_name} (mã ${message.commune_code}), ${message.province_name} (mã ${message.province_code})`,
    `  Kỳ số liệu: ${periodVi(message)}`,
    `  ${firing ? 'Điều kiện cảnh báo' : 'Điều kiện hết cảnh báo'}: ${conditionVi(rule, firing ? rule.fire : rule.resolve)}`,
    `  Giá trị: ${metricText(rule.metric, message.value)}`,
    `  Chỉ số áp lực: ${f.pressure_index === null ? 'chưa có (thiếu số liệu nhân sự)' : decimal.format(f.pressure_index)}${f.pressure_level ? ` (mức ${PRESSURE_LEVEL_VI[f.pressure_level] ?? f.pressure_level})` : ''}; nhân sự cần ${decimal.format(f.required_fte)}, hiện có ${f.actual_fte === null ? '—' : decimal.format(f.actual_fte)}`,
    `  Hồ sơ tiếp nhận: ${f.received}${f.resolved === null ? '' : `; đã giải quyết: ${f.resolved}`}; tỷ lệ đúng hạn: ${f.on_time_rate === null ? '—' : percent.format(f.on_time_rate)}`,
    `  Hồ sơ tồn đọng cuối kỳ: ${f.open_end} (quá hạn ${f.overdue_open})${f.backlog_weeks === null ? '' : `, cần ${decimal.format(f.backlog_weeks)} tuần để giải quyết hết`}`,
    `  Đợt cảnh báo thứ ${message.episode}, bắt đầu từ ${dayVi(message.episode_start)}; mã cảnh báo ${message.alert_id}`,
    `  Xem chi tiết: ${message.explain_command}`,
  ];
  if (firing) lines.push(`  Xác nhận đã tiếp nhận: pnpm cli alerts ack ${message.alert_id}`);
  return lines.join('\n');
}

const FOOTER =
  '\n\n—\nThư này do hệ thống commune-pulse gửi tự động (Bộ Nội vụ, theo dõi áp lực công việc tại trung tâm phục vụ hành chính công cấp xã).' +
  '\nĐể tạm ngừng thông báo của một xã: pnpm cli alerts silence --commune <mã> --until <ngày> --reason <lý do>';

function greeting(name: string | undefined): string {
  return `Kính gửi ${name ?? 'anh/chị'},`;
}

export interface EmailContent {
  subject: string;
  text: string;
}

/** A single alert, sent at once (critical rules). */
export function immediateEmail(message: CommuneAlertMessage, rule: AlertRule, name?: string): EmailContent {
  const what = message.state === 'firing' ? 'Cảnh báo' : 'Đã hết cảnh báo';
  return {
    subject: `[commune-pulse] ${what} ${rule.title.toLowerCase()}: ${message.commune_name} (${message.commune_code}), ${message.province_name}`,
    text: `${greeting(name)}\n\nHệ thống commune-pulse ghi nhận một thay đổi cảnh báo:\n\n${alertParagraph(message, rule)}${FOOTER}\n`,
  };
}

/** The day's changes for one recipient, in one message: firing first, then by level and commune. */
export function digestEmail(
  items: readonly { message: CommuneAlertMessage; rule: AlertRule }[],
  digestDay: string,
  name?: string,
): EmailContent {
  const rank = { critical: 0, high: 1, warning: 2 } as const;
  const sorted = [...items].sort(
    (a, b) =>
      (a.message.state === 'firing' ? 0 : 1) - (b.message.state === 'firing' ? 0 : 1) ||
      rank[a.message.level] - rank[b.message.level] ||
      a.message.province_code.localeCompare(b.message.province_code) ||
      a.message.commune_code.localeCompare(b.message.commune_code) ||
      a.message.rule.localeCompare(b.message.rule),
  );
  const firing = sorted.filter((item) => item.message.state === 'firing').length;
  const resolved = sorted.length - firing;
  const counts = [firing > 0 ? `${firing} cảnh báo mới` : '', resolved > 0 ? `${resolved} cảnh báo đã hết` : '']
    .filter(Boolean)
    .join(', ');
  return {
    subject: `[commune-pulse] Tổng hợp cảnh báo ngày ${dayVi(digestDay)}: ${counts}`,
    text: `${greeting(name)}\n\nTổng hợp các thay đổi cảnh báo trong ngày ${dayVi(digestDay)} (${counts}):\n\n${sorted
      .map((item) => alertParagraph(item.message, item.rule))
      .join('\n\n')}${FOOTER}\n`,
  };
}
