import { TOPICS } from '@commune-pulse/contracts';
import {
  createPortalAdapter,
  fileDeadLetterSink,
  type IngestContext,
  importPortalFile,
  openIngestContext,
} from '@commune-pulse/ingest';
import { createUnitDirectory, parseUnitMappingCsv } from '@commune-pulse/portal';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { COLLAPSING_VENDORS } from '@commune-pulse/simulator';
import { saveUnitMapping } from '@commune-pulse/warehouse';

export const logger = createLogger('test', 'silent');

/** Made-up personal values of a fixture: none may reach a table, a dead letter or the journal. */
export const FIXTURE_PERSONAL = {
  ChuHoSo: 'Đỗ Thị Phượng Kiểmthử',
  SoGiayToChuHoSo: '079188001234',
  SoDienThoai: '0987650321',
  Email: 'phuong.kiemthu@example.vn',
  Fax: '02839990001',
  TrichYeuHoSo: 'Cấp bản sao trích lục cho bà Phượng Kiểmthử, 12 Lê Lợi',
  GhiChu: 'Bà Phượng Kiểmthử hẹn chiều thứ sáu',
  MaDoiTuong: 'CD-KIEMTHU-7788',
  ThongTinKhac: 'Nhà số 12 Lê Lợi, gọi 0987650321',
  DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: '079188001234' }],
  TaiLieuNop: [{ TenTepDinhKem: 'cccd-phuong-kiemthu.pdf' }],
};
export const FIXTURE_OFFICER = 'Lý Văn Kiểmthử';
export const FIXTURE_VALUES = [
  ...Object.values(FIXTURE_PERSONAL).filter((value): value is string => typeof value === 'string'),
  'cccd-phuong-kiemthu.pdf',
  FIXTURE_OFFICER,
  'Chuyển hồ sơ cho anh Kiểmthử',
];

/** The personal values of simulated portal lines (a sample, and every officer name), to search for. */
export function personalValuesOf(lines: readonly string[], sample = 150): string[] {
  const values = new Set<string>();
  const officers = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const record = (JSON.parse(line) as { record: Record<string, unknown> }).record;
    if (typeof record.NguoiXuLy === 'string' && record.NguoiXuLy !== 'Cán bộ một cửa') officers.add(record.NguoiXuLy);
    if (index % Math.max(1, Math.floor(lines.length / sample)) !== 0) continue;
    for (const field of [
      'ChuHoSo',
      'SoGiayToChuHoSo',
      'SoDienThoai',
      'Email',
      'Fax',
      'TrichYeuHoSo',
      'GhiChu',
      'MaDoiTuong',
      'NoiDungXuLy',
    ]) {
      const value = record[field];
      if (typeof value === 'string' && value.length >= 6) values.add(value);
    }
  }
  return [...values, ...officers];
}

/** Bad elements carrying the fixture's personal values: each must be rejected, and leave no personal trace. */
export function badPortalLines(unitCode: string): { lines: string[]; reasons: Record<string, number> } {
  const record = {
    MaHoSo: 'BAD-0001',
    MaTTHC: '1.001193',
    KenhThucHien: '1',
    DonViXuLy: unitCode,
    NgayTiepNhan: '20260303080000',
    NgayHenTra: '20260304170000',
    TrangThaiHoSo: '2',
    ...FIXTURE_PERSONAL,
  };
  const lines = [
    JSON.stringify({ ...record, MaHoSo: 'BAD-DATE', NgayTiepNhan: '03/03/2026 08:00' }),
    JSON.stringify({ ...record, MaHoSo: 'BAD-UNIT', DonViXuLy: 'DV.CHUA.ANH.XA' }),
    JSON.stringify({ ...record, MaHoSo: 'BAD-STATUS', TrangThaiHoSo: '10' }),
    JSON.stringify({
      MaHoSo: 'BAD-HISTORY',
      TrangThai: '4',
      ThoiDiemXuLy: '20260303090000',
      NguoiXuLy: FIXTURE_OFFICER,
      NoiDungXuLy: 'Chuyển hồ sơ cho anh Kiểmthử',
    }),
    `${JSON.stringify(record).slice(0, 180)}`,
  ];
  return {
    lines,
    reasons: {
      portal_invalid_date: 1,
      portal_unmapped_unit: 1,
      portal_dates_contradict_status: 1,
      portal_unknown_dossier: 1,
      not_json: 1,
    },
  };
}

export async function withContext<T>(dataDir: string, run: (context: IngestContext) => Promise<T>): Promise<T> {
  const context = await openIngestContext(loadConfig({ COMMUNE_PULSE_DATA_DIR: dataDir }), logger);
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

/** Imports a portal export as `pnpm cli portal import --units` does, with a local DLQ file. */
export async function importPortal(
  context: IngestContext,
  path: string,
  unitsCsv: string,
  deadLetterPath: string,
  officerKey?: string,
) {
  const parsed = parseUnitMappingCsv(unitsCsv);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  await saveUnitMapping(context.warehouse, parsed, 'units.csv');
  const units = createUnitDirectory(parsed.rows);
  const deadLetters = fileDeadLetterSink(deadLetterPath, TOPICS.portalDossiersDlq);
  const adapter = createPortalAdapter({
    pipeline: context.createPipeline(deadLetters),
    warehouse: context.warehouse,
    units: () => units,
    officerKey,
  });
  try {
    const result = await importPortalFile(path, { adapter, batchRecords: 2_000 });
    await context.derive();
    return result;
  } finally {
    await deadLetters.close();
  }
}

interface SimulatedEvent {
  event_type: string;
  occurred_at: string;
  dossier_id: string;
  commune_code: string;
  source_system: string;
}

/**
 * What the portal format cannot carry, from the v1 stream of the same world: the dossiers of senders that
 * collapse 5, 6 and 8 into 9 and had one of those statuses (collapsed), and among them those that had a fee
 * request or a suspension (not derived: lost), with the suspensions' instants (their dossiers stay open).
 */
export function expectedLosses(eventLines: readonly string[]) {
  const collapsed = new Set<string>();
  const lost = new Set<string>();
  const suspensions: { communeCode: string; atMs: number }[] = [];
  for (const line of eventLines) {
    const event = JSON.parse(line) as SimulatedEvent;
    const vendor = event.source_system.split('-')[1] ?? '';
    if (!COLLAPSING_VENDORS.includes(vendor)) continue;
    if (['supplement_requested', 'fee_requested', 'suspended'].includes(event.event_type))
      collapsed.add(event.dossier_id);
    if (event.event_type === 'fee_requested' || event.event_type === 'suspended') lost.add(event.dossier_id);
    if (event.event_type === 'suspended') {
      suspensions.push({ communeCode: event.commune_code, atMs: Date.parse(event.occurred_at) });
    }
  }
  return { collapsed, lost, suspensions };
}
