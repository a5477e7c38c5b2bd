import { civilFromDayNumber, dayNumberFromCivil, VN_OFFSET_MS } from '@commune-pulse/reference-data';

// The portal's dates are `yyyyMMddHHmmss` in Vietnam time (UTC+7, no daylight saving since 1975).

const PORTAL_DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

export type PortalDate = { ok: true; ms: number | null } | { ok: false };

/**
 * A portal date as epoch milliseconds: null when absent (senders send "", null or leave the field out),
 * `ok: false` when it is not a real instant in `yyyyMMddHHmmss` (month 13, 30 February, 25 o'clock, other shapes).
 */
export function parsePortalDate(value: unknown): PortalDate {
  if (value === undefined || value === null || value === '') return { ok: true, ms: null };
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return { ok: false };
  const match = PORTAL_DATE.exec(text.trim());
  if (match === null) return { ok: false };
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  if (year === undefined || month === undefined || day === undefined) return { ok: false };
  if (hour === undefined || minute === undefined || second === undefined) return { ok: false };
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return { ok: false };
  const dayNumber = dayNumberFromCivil(year, month, day);
  const back = civilFromDayNumber(dayNumber);
  if (back.year !== year || back.month !== month || back.day !== day) return { ok: false };
  return { ok: true, ms: dayNumber * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 - VN_OFFSET_MS };
}

const two = (n: number) => String(n).padStart(2, '0');

/** Epoch milliseconds as the portal writes them (whole seconds, Vietnam time). */
export function formatPortalDate(epochMs: number): string {
  const local = Math.floor((epochMs + VN_OFFSET_MS) / 1000);
  const dayNumber = Math.floor(local / 86_400);
  const second = local - dayNumber * 86_400;
  const { year, month, day } = civilFromDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}${two(month)}${two(day)}${two(Math.floor(second / 3600))}${two(Math.floor((second % 3600) / 60))}${two(second % 60)}`;
}
