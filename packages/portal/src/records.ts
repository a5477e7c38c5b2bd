import { createHmac } from 'node:crypto';
import type { Channel, PortalRejectReason, Reject } from '@commune-pulse/contracts';
import { parsePortalDate } from './dates.ts';

/**
 * The national portal's sync records, read at the door: only the fields the mapping needs are kept, so every
 * personal field (ChuHoSo, SoGiayToChuHoSo, Email, SoDienThoai, DinhDanhCHS, TrichYeuHoSo, GhiChu, NoiDungXuLy,
 * ChucDanh, PhongBanXuLy, the documents and fees lists, …) is gone before anything is written, journaled or
 * dead-lettered. A handling officer's name (NguoiXuLy) leaves only as a keyed hash, and only when the province
 * supplied a key.
 */

/** A supplement request (DanhSachHoSoBoSung): asked, brought, and the return date before and after. */
export interface PortalSupplement {
  requestedAtMs: number | null;
  receivedAtMs: number | null;
  previousDueAtMs: number | null;
  newDueAtMs: number | null;
}

/** HoSoDongBoDVC: the dossier as it stands when it was sent (sent again on each change). */
export interface PortalDossierRecord {
  kind: 'dossier';
  dossierId: string;
  procedureCode: string;
  channel: Channel;
  /** TrangThaiHoSo, 1–10 */
  statusCode: number;
  /** DonViXuLy, or the unit part of MaHoSo when DonViXuLy is empty */
  unitCode: string | null;
  submittedAtMs: number | null;
  receivedAtMs: number | null;
  dueAtMs: number | null;
  refusedAtMs: number | null;
  /** NgayKetThucXuLy: processing finished */
  endedAtMs: number | null;
  returnedAtMs: number | null;
  supplements: PortalSupplement[];
}

/** QuaTrinhXuLyDongBoDVC: one processing step, the status it left the dossier in and when. */
export interface PortalHistoryRecord {
  kind: 'history';
  dossierId: string;
  statusCode: number;
  atMs: number;
  officerRef: string | null;
}

export type PortalRecord = PortalDossierRecord | PortalHistoryRecord;

/** The record with only the kept fields, under the portal's names: what the journal and the DLQ may hold. */
export type SanitizedRecord = Record<string, unknown>;

export type ReadRecordResult =
  | { ok: true; record: PortalRecord; sanitized: SanitizedRecord }
  | { ok: false; reject: Reject; sanitized: SanitizedRecord | null };

export interface ReadRecordOptions {
  /** the province's key for pseudonymous officer references; without it NguoiXuLy is dropped */
  officerKey?: string | undefined;
}

const DOSSIER_DATES = [
  'NgayNopHoSo',
  'NgayTiepNhan',
  'NgayHenTra',
  'NgayTuChoi',
  'NgayKetThucXuLy',
  'NgayTra',
] as const;
const SUPPLEMENT_DATES = ['NgayBoSung', 'NgayTiepNhanBoSung', 'NgayHenTraTruoc', 'NgayHenTraMoi'] as const;
const DOSSIER_FIELDS = ['MaHoSo', 'MaTTHC', 'KenhThucHien', 'TrangThaiHoSo', 'DonViXuLy', ...DOSSIER_DATES] as const;
const HISTORY_FIELDS = ['MaHoSo', 'TrangThai', 'ThoiDiemXuLy'] as const;
/** More supplement rounds than this is not a dossier but a loop in the sender's system. */
export const MAX_SUPPLEMENTS = 16;

const CHANNELS: Record<number, Channel> = { 1: 'counter', 2: 'online', 3: 'postal' };
const PRINTABLE_ID = /^[^\p{Cc}]{1,64}$/u;

function rejectWith(reason: PortalRejectReason, detail: string, sanitized: SanitizedRecord | null): ReadRecordResult {
  return { ok: false, reject: { reason, detail }, sanitized };
}

/** A portal scalar as the text senders mean: strings trimmed, whole numbers as digits, anything else kept out. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Stands in for a value of the wrong kind: its kind is kept for the reject, never its content. */
function notScalar(value: unknown): { not_scalar: string } {
  return { not_scalar: Array.isArray(value) ? 'array' : typeof value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const OFFICER_REF = /^nx-[0-9a-f]{32}$/;

/** `HMAC-SHA256(key, name)`: the same officer gets the same reference, and the name cannot be recovered. */
export function officerRef(key: string, name: string): string {
  return `nx-${createHmac('sha256', key).update(name.normalize('NFC').trim().toLowerCase()).digest('hex').slice(0, 32)}`;
}

/** Keeps the allowed fields of a raw record (and the hashed officer); the rest never leaves this function. */
export function sanitizeRecord(raw: Record<string, unknown>, options: ReadRecordOptions = {}): SanitizedRecord {
  const isHistory = !('TrangThaiHoSo' in raw) && ('ThoiDiemXuLy' in raw || 'TrangThai' in raw);
  const out: SanitizedRecord = {};
  for (const field of isHistory ? HISTORY_FIELDS : DOSSIER_FIELDS) {
    const value = scalar(raw[field]);
    if (value !== undefined) out[field] = value;
    else if (raw[field] !== undefined && raw[field] !== null) out[field] = notScalar(raw[field]);
  }
  if (isHistory) {
    // A record the receiver already sanitized carries the hash instead of the name.
    if (typeof raw.officer_ref === 'string' && OFFICER_REF.test(raw.officer_ref)) out.officer_ref = raw.officer_ref;
    const name = scalar(raw.NguoiXuLy);
    if (options.officerKey !== undefined && name !== undefined && name !== '') {
      out.officer_ref = officerRef(options.officerKey, name);
    }
    return out;
  }
  const supplements = raw.DanhSachHoSoBoSung;
  if (Array.isArray(supplements)) {
    out.DanhSachHoSoBoSung = supplements.map((entry) => {
      const kept: SanitizedRecord = {};
      if (!isObject(entry)) return kept;
      for (const field of SUPPLEMENT_DATES) {
        const value = scalar(entry[field]);
        if (value !== undefined) kept[field] = value;
      }
      return kept;
    });
  } else if (supplements !== undefined && supplements !== null) {
    out.DanhSachHoSoBoSung = notScalar(supplements);
  }
  return out;
}

function code(text: unknown, min: number, max: number): number | null {
  if (typeof text !== 'string' || !/^\d{1,2}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

type Dates<K extends string> = { ok: true; dates: Record<K, number | null> } | { ok: false; field: string };

function readDates<K extends string>(from: SanitizedRecord, fields: readonly K[], prefix = ''): Dates<K> {
  const dates = {} as Record<K, number | null>;
  for (const field of fields) {
    const parsed = parsePortalDate(from[field]);
    if (!parsed.ok) return { ok: false, field: `${prefix}${field}` };
    dates[field] = parsed.ms;
  }
  return { ok: true, dates };
}

function invalidDate(field: string, sanitized: SanitizedRecord): ReadRecordResult {
  return rejectWith(
    'portal_invalid_date',
    `${field}: not a date (rule: yyyyMMddHHmmss, a real instant in Vietnam time)`,
    sanitized,
  );
}

function dossierIdProblem(sanitized: SanitizedRecord): ReadRecordResult | null {
  const id = sanitized.MaHoSo;
  if (id === undefined || id === '') return rejectWith('portal_missing_field', 'MaHoSo: required', sanitized);
  if (typeof id !== 'string' || !PRINTABLE_ID.test(id)) {
    const length = typeof id === 'string' ? ` (length ${[...id].length})` : ' (not text)';
    return rejectWith('portal_invalid_field', `MaHoSo: 1–64 printable characters${length}`, sanitized);
  }
  return null;
}

/**
 * Reads one element of a sync call or export: a dossier record or a history record, sanitized and with its
 * dates parsed. Checks what one record can show on its own (shape, codes, dates, dates against status); what
 * needs the dossier's earlier records is the mapper's.
 */
export function readPortalRecord(value: unknown, options: ReadRecordOptions = {}): ReadRecordResult {
  if (!isObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return rejectWith('portal_not_record', `the element is ${kind}, not a record object`, null);
  }
  const isDossier = 'TrangThaiHoSo' in value;
  const isHistory = !isDossier && ('ThoiDiemXuLy' in value || 'TrangThai' in value);
  const sanitized = sanitizeRecord(value, options);
  if (!isDossier && !isHistory) {
    return rejectWith(
      'portal_not_record',
      'the object has neither TrangThaiHoSo (dossier record) nor ThoiDiemXuLy/TrangThai (history record)',
      sanitized,
    );
  }
  const idProblem = dossierIdProblem(sanitized);
  if (idProblem) return idProblem;
  const dossierId = sanitized.MaHoSo as string;
  if (isHistory) {
    const status = code(sanitized.TrangThai, 1, 10);
    if (sanitized.TrangThai === undefined) return rejectWith('portal_missing_field', 'TrangThai: required', sanitized);
    if (status === null) return rejectWith('portal_invalid_field', 'TrangThai: a status code 1–10', sanitized);
    const at = parsePortalDate(sanitized.ThoiDiemXuLy);
    if (!at.ok) return invalidDate('ThoiDiemXuLy', sanitized);
    if (at.ms === null) return rejectWith('portal_missing_field', 'ThoiDiemXuLy: required', sanitized);
    const ref = sanitized.officer_ref;
    return {
      ok: true,
      record: {
        kind: 'history',
        dossierId,
        statusCode: status,
        atMs: at.ms,
        officerRef: typeof ref === 'string' ? ref : null,
      },
      sanitized,
    };
  }

  for (const field of ['MaTTHC', 'KenhThucHien', 'TrangThaiHoSo'] as const) {
    if (sanitized[field] === undefined || sanitized[field] === '') {
      return rejectWith('portal_missing_field', `${field}: required`, sanitized);
    }
  }
  if (typeof sanitized.MaTTHC !== 'string') return rejectWith('portal_invalid_field', 'MaTTHC: text', sanitized);
  const channelCode = code(sanitized.KenhThucHien, 1, 3);
  if (channelCode === null) {
    return rejectWith('portal_invalid_field', 'KenhThucHien: 1 (in person), 2 (online) or 3 (postal)', sanitized);
  }
  const statusCode = code(sanitized.TrangThaiHoSo, 1, 10);
  if (statusCode === null) return rejectWith('portal_invalid_field', 'TrangThaiHoSo: a status code 1–10', sanitized);
  const dates = readDates(sanitized, DOSSIER_DATES);
  if (!dates.ok) return invalidDate(dates.field, sanitized);
  const list = sanitized.DanhSachHoSoBoSung ?? [];
  if (!Array.isArray(list)) return rejectWith('portal_invalid_field', 'DanhSachHoSoBoSung: a list', sanitized);
  if (list.length > MAX_SUPPLEMENTS) {
    return rejectWith(
      'portal_invalid_field',
      `DanhSachHoSoBoSung: at most ${MAX_SUPPLEMENTS} supplement rounds (length ${list.length})`,
      sanitized,
    );
  }
  const supplements: PortalSupplement[] = [];
  for (const [index, entry] of list.entries()) {
    const entryDates = readDates(entry as SanitizedRecord, SUPPLEMENT_DATES, `DanhSachHoSoBoSung[${index}].`);
    if (!entryDates.ok) return invalidDate(entryDates.field, sanitized);
    supplements.push({
      requestedAtMs: entryDates.dates.NgayBoSung,
      receivedAtMs: entryDates.dates.NgayTiepNhanBoSung,
      previousDueAtMs: entryDates.dates.NgayHenTraTruoc,
      newDueAtMs: entryDates.dates.NgayHenTraMoi,
    });
  }
  const unit = typeof sanitized.DonViXuLy === 'string' && sanitized.DonViXuLy !== '' ? sanitized.DonViXuLy : null;
  const record: PortalDossierRecord = {
    kind: 'dossier',
    dossierId,
    procedureCode: sanitized.MaTTHC,
    channel: CHANNELS[channelCode] as Channel,
    statusCode,
    // Provincial systems number dossiers <unit code>-<yymmdd>-<n>: the unit is there when DonViXuLy is empty.
    unitCode: unit ?? (dossierId.includes('-') ? (dossierId.split('-')[0] as string) : null),
    submittedAtMs: dates.dates.NgayNopHoSo,
    receivedAtMs: dates.dates.NgayTiepNhan,
    dueAtMs: dates.dates.NgayHenTra,
    refusedAtMs: dates.dates.NgayTuChoi,
    endedAtMs: dates.dates.NgayKetThucXuLy,
    returnedAtMs: dates.dates.NgayTra,
    supplements,
  };
  const contradiction = datesAgainstStatus(record);
  if (contradiction !== null) return rejectWith('portal_dates_contradict_status', contradiction, sanitized);
  return { ok: true, record, sanitized };
}

/** Statuses that finish processing (NgayKetThucXuLy may be set): withdrawn, suspended, resolved, returned. */
const FINISHED = new Set([7, 8, 9, 10]);

/** What a record's dates say against its own status, or null when they agree. Names fields and rules only. */
export function datesAgainstStatus(record: PortalDossierRecord): string | null {
  const { statusCode: status } = record;
  if (status !== 1 && status !== 3 && record.receivedAtMs === null) {
    return 'NgayTiepNhan: required once a dossier is received (TrangThaiHoSo other than 1 or 3)';
  }
  if (status === 3 && record.refusedAtMs === null) {
    return 'NgayTuChoi: required when TrangThaiHoSo is 3 (not received)';
  }
  if (status === 10 && (record.returnedAtMs === null || record.endedAtMs === null)) {
    return 'NgayTra and NgayKetThucXuLy: required when TrangThaiHoSo is 10 (returned)';
  }
  if (record.returnedAtMs !== null && status !== 10) {
    return 'NgayTra: set only when TrangThaiHoSo is 10 (returned)';
  }
  if (record.endedAtMs !== null && !FINISHED.has(status)) {
    return 'NgayKetThucXuLy: set only when TrangThaiHoSo is 7, 8, 9 or 10 (processing finished)';
  }
  const order: [string, number | null, string, number | null][] = [
    ['NgayNopHoSo', record.submittedAtMs, 'NgayTiepNhan', record.receivedAtMs],
    ['NgayTiepNhan', record.receivedAtMs, 'NgayHenTra', record.dueAtMs],
    ['NgayTiepNhan', record.receivedAtMs, 'NgayKetThucXuLy', record.endedAtMs],
    ['NgayKetThucXuLy', record.endedAtMs, 'NgayTra', record.returnedAtMs],
  ];
  for (const [index, supplement] of record.supplements.entries()) {
    const name = `DanhSachHoSoBoSung[${index}]`;
    order.push(
      ['NgayTiepNhan', record.receivedAtMs, `${name}.NgayBoSung`, supplement.requestedAtMs],
      [`${name}.NgayBoSung`, supplement.requestedAtMs, `${name}.NgayTiepNhanBoSung`, supplement.receivedAtMs],
    );
  }
  for (const [earlier, earlierMs, later, laterMs] of order) {
    if (earlierMs !== null && laterMs !== null && laterMs < earlierMs) {
      return `${later}: not before ${earlier} (rule: dates follow the dossier's lifecycle)`;
    }
  }
  return null;
}
