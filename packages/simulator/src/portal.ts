import type { DossierEventV1 } from '@commune-pulse/contracts';
import type { PortalCall, PortalEnvelope } from '@commune-pulse/portal';
import { formatPortalDate } from '@commune-pulse/portal';
import { communeByCode } from '@commune-pulse/reference-data';
import { type SimulationOptions, type SimulationSummary, simulateEvents } from './generate.ts';
import { officerName, portalPersonalFields } from './personal.ts';
import { textSeed } from './random.ts';

/**
 * The simulated world as the provinces' one-stop systems sync it to the national portal: the same dossiers and
 * the same instants as `simulateEvents`, told as sync calls. The dossier record (HoSoDongBoDVC) is sent whole on
 * creation (ThemMoi) and again on each change (CapNhat), with every personal field a real record carries; the
 * processing steps (QuaTrinhXuLyDongBoDVC) go by DongBoTienTrinh, as real senders send them: reception, each
 * forwarding, fee request, withdrawal, suspension, the end of processing. Senders whose vendor is `motcua`
 * collapse 5, 6 and 8 into 9, as some provinces' systems do. Each line is one record in the envelope the
 * receiver journals (`received_at`: when the change happened, the sender syncing at once).
 */

/** The vendors of `sim-<vendor>-<province>` that collapse 5, 6 and 8 into 9. */
export const COLLAPSING_VENDORS: readonly string[] = ['motcua'];

const COUNTER_OFFICER = 'Cán bộ một cửa';

/** The unit code a commune's one-stop system puts in DonViXuLy. */
export function simulatedUnitCode(communeCode: string): string {
  const commune = communeByCode(communeCode);
  return `000.00.${communeCode}.H${commune?.provinceCode ?? '00'}`;
}

/** units.csv for the simulated communes: what the ministry would import before the records. */
export function formatUnitsCsv(communeCodes: readonly string[]): string {
  const lines = ['unit_code,commune_code'];
  for (const code of communeCodes) lines.push(`${simulatedUnitCode(code)},${code}`);
  return `${lines.join('\n')}\n`;
}

export type PortalSimulationSummary = SimulationSummary & {
  records: number;
  calls: Record<PortalCall, number>;
  /** dossiers of collapsing senders whose records carried a 5, 6 or 8 as 9 */
  collapsedDossiers: number;
};

interface Sending {
  record: Record<string, unknown>;
  supplements: Record<string, string>[];
  due: string;
  lastType: string;
  collapses: boolean;
  collapsed: boolean;
  provinceCode: string;
}

const KENH: Record<string, string> = { counter: '1', online: '2', postal: '3' };
const CLOSED = new Set(['intake_refused', 'withdrawn', 'suspended', 'returned']);

/** The dossier record a commune's system starts on the dossier's first event, or undefined for an unknown commune. */
function newSending(event: DossierEventV1, seed: number): Sending | undefined {
  const commune = communeByCode(event.commune_code);
  if (commune === undefined) return undefined;
  const vendor = (event.source_system ?? '').split('-')[1] ?? '';
  return {
    record: {
      MaHoSo: event.dossier_id,
      MaTTHC: event.procedure_code,
      TenTTHC: `Thủ tục ${event.procedure_code}`,
      MaLinhVuc: event.procedure_code.slice(0, 1),
      KenhThucHien: KENH[event.channel] ?? '1',
      DonViXuLy: simulatedUnitCode(event.commune_code),
      HinhThuc: '0',
      NgayNopHoSo: '',
      NgayTiepNhan: '',
      NgayHenTra: '',
      NgayTuChoi: '',
      NgayKetThucXuLy: '',
      NgayTra: '',
      TrangThaiHoSo: '1',
      ...portalPersonalFields(textSeed(event.dossier_id, seed), commune),
    },
    supplements: [],
    due: '',
    lastType: '',
    collapses: COLLAPSING_VENDORS.includes(vendor),
    collapsed: false,
    provinceCode: commune.provinceCode,
  };
}

/** A processing step the sender reports by DongBoTienTrinh: its status code and who did it. */
interface Step {
  code: number;
  officer: string;
}

const collapses = (state: Sending, code: number) => state.collapses && (code === 5 || code === 6 || code === 8);

/** The status a sender records: a collapsing sender's 5, 6 and 8 as 9 (and the dossier counted as collapsed). */
function statusOf(state: Sending, code: number): string {
  const collapsed = collapses(state, code);
  if (collapsed) state.collapsed = true;
  return String(collapsed ? 9 : code);
}

const officerOf = (event: DossierEventV1) => (event.officer_ref ? officerName(event.officer_ref) : COUNTER_OFFICER);

/** One event applied to the dossier's record; the processing steps it reports. */
function applyEvent(state: Sending, event: DossierEventV1, at: string): Step[] {
  const history: Step[] = [];
  const record = state.record;
  const lastSupplement = state.supplements[state.supplements.length - 1];
  switch (event.event_type) {
    case 'submitted':
      record.NgayNopHoSo = at;
      record.TrangThaiHoSo = '1';
      break;
    case 'received':
      record.NgayTiepNhan = at;
      state.due = formatPortalDate(Date.parse(event.due_at ?? event.occurred_at));
      record.NgayHenTra = state.due;
      record.TrangThaiHoSo = '2';
      history.push({ code: 2, officer: COUNTER_OFFICER });
      break;
    case 'intake_refused':
      record.NgayTuChoi = at;
      record.TrangThaiHoSo = '3';
      break;
    case 'processing':
      record.TrangThaiHoSo = '4';
      history.push({ code: 4, officer: officerOf(event) });
      break;
    case 'supplement_requested':
      state.supplements.push({
        NgayBoSung: at,
        NgayHenTraTruoc: state.due,
        NoiDungBoSung: 'Bổ sung giấy tờ tùy thân',
      });
      record.TrangThaiHoSo = statusOf(state, 5);
      history.push({ code: 5, officer: COUNTER_OFFICER });
      break;
    case 'supplement_received':
      if (lastSupplement) lastSupplement.NgayTiepNhanBoSung = at;
      record.TrangThaiHoSo = '4';
      break;
    case 'fee_requested':
      record.TrangThaiHoSo = statusOf(state, 6);
      history.push({ code: 6, officer: COUNTER_OFFICER });
      break;
    case 'deadline_extended':
      state.due = formatPortalDate(Date.parse(event.due_at ?? event.occurred_at));
      // Right after a supplement round, the new date is that round's; otherwise the officer moved it.
      if (state.lastType === 'supplement_received' && lastSupplement) lastSupplement.NgayHenTraMoi = state.due;
      record.NgayHenTra = state.due;
      break;
    case 'withdrawn':
      record.TrangThaiHoSo = '7';
      history.push({ code: 7, officer: COUNTER_OFFICER });
      break;
    case 'suspended':
      record.TrangThaiHoSo = statusOf(state, 8);
      history.push({ code: 8, officer: COUNTER_OFFICER });
      break;
    case 'resolved':
      record.NgayKetThucXuLy = at;
      record.TrangThaiHoSo = '9';
      history.push({ code: 9, officer: officerOf(event) });
      break;
    case 'returned':
      record.NgayTra = at;
      record.TrangThaiHoSo = '10';
      break;
  }
  state.lastType = event.event_type;
  record.DanhSachHoSoBoSung = state.supplements.map((entry) => ({ ...entry }));
  return history;
}

/** The QuaTrinhXuLyDongBoDVC record of one processing step. */
function stepRecord(state: Sending, event: DossierEventV1, step: Step, at: string): Record<string, unknown> {
  return {
    MaHoSo: event.dossier_id,
    NguoiXuLy: step.officer,
    ChucDanh: step.officer === COUNTER_OFFICER ? 'Công chức một cửa' : 'Chuyên viên',
    ThoiDiemXuLy: at,
    PhongBanXuLy: 'Bộ phận tiếp nhận và trả kết quả',
    NoiDungXuLy: `Xử lý hồ sơ của ${String(state.record.ChuHoSo)}`,
    TrangThai: String(collapses(state, step.code) ? 9 : step.code),
    NgayBatDau: state.record.NgayTiepNhan,
    NgayKetThucTheoQuyDinh: state.due,
  };
}

/** Sync-call lines (NDJSON of envelopes) of the simulated world; the generator's return value is the summary. */
export function* simulatePortalRecords(
  options: Omit<SimulationOptions, 'faults'>,
): Generator<string, PortalSimulationSummary, undefined> {
  const events = simulateEvents({ ...options, faults: {} });
  const dossiers = new Map<string, Sending>();
  const calls: Record<PortalCall, number> = { ThemMoi: 0, CapNhat: 0, DongBoTienTrinh: 0 };
  let records = 0;
  let collapsedDossiers = 0;
  const line = (call: PortalCall, sending: Sending, record: Record<string, unknown>, atMs: number): string => {
    calls[call] += 1;
    records += 1;
    const envelope: PortalEnvelope = {
      portal_call: call,
      province_code: sending.provinceCode,
      received_at: new Date(atMs).toISOString(),
      record,
    };
    return JSON.stringify(envelope);
  };
  let result = events.next();
  while (result.done !== true) {
    const event = JSON.parse(result.value) as DossierEventV1;
    result = events.next();
    const atMs = Date.parse(event.occurred_at);
    const at = formatPortalDate(atMs);
    const known = dossiers.get(event.dossier_id);
    const state = known ?? newSending(event, options.seed);
    if (state === undefined) continue;
    if (known === undefined) dossiers.set(event.dossier_id, state);
    const wasCollapsed = state.collapsed;
    const history = applyEvent(state, event, at);
    if (state.collapsed && !wasCollapsed) collapsedDossiers += 1;
    yield line(known === undefined ? 'ThemMoi' : 'CapNhat', state, { ...state.record }, atMs);
    for (const step of history) yield line('DongBoTienTrinh', state, stepRecord(state, event, step, at), atMs);
    if (CLOSED.has(event.event_type)) dossiers.delete(event.dossier_id);
  }
  return { ...result.value, records, calls, collapsedDossiers };
}
