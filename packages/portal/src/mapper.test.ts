import { PORTAL_REJECT_REASONS, validateDossierEvent } from '@commune-pulse/contracts';
import { describe, expect, it } from 'vitest';
import { formatPortalDate, parsePortalDate } from './dates.ts';
import { portalInputOf } from './envelope.ts';
import { type DossierMapContext, mapDossierRecord, mapHistoryRecord, type PortalDossierState } from './mapper.ts';
import { type PortalDossierRecord, readPortalRecord } from './records.ts';
import { createUnitDirectory, parseUnitMappingCsv } from './units.ts';

const context: DossierMapContext = {
  communeCode: '00004',
  provinceCode: '01',
  observedAtMs: null,
  sourceSystem: 'portal',
};
const validation = { nowMs: Date.parse('2027-01-01T00:00:00Z'), provinceOfCommune: (code: string) => code.slice(0, 2) };

const PERSONAL = {
  ChuHoSo: 'Nguyễn Thị Hạnh',
  SoGiayToChuHoSo: '001190012345',
  Email: 'hanh.nguyen@example.vn',
  SoDienThoai: '0912345678',
  Fax: '0243999888',
  TrichYeuHoSo: 'Đăng ký khai sinh cho con Nguyễn Văn An',
  GhiChu: 'Gọi lại cho chị Hạnh',
  DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: '001190012345' }],
  LoaiDoiTuong: '1',
  MaDoiTuong: 'CD-778899',
  ThongTinKhac: 'Số nhà 12 ngõ 34',
  TaiLieuNop: [{ TenTepDinhKem: 'giay-chung-sinh-nguyen-van-an.pdf' }],
};

/** A dossier record as a provincial system sends it. */
function dossier(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    MaHoSo: '000.00.04.H01-261123-0001',
    MaTTHC: '1.001193',
    TenTTHC: 'Đăng ký khai sinh',
    KenhThucHien: '1',
    DonViXuLy: '000.00.04.H01',
    NgayTiepNhan: '20261123081502',
    NgayHenTra: '20261124170000',
    TrangThaiHoSo: '2',
    ...PERSONAL,
    ...fields,
  };
}

function read(raw: unknown): PortalDossierRecord {
  const result = readPortalRecord(raw);
  if (!result.ok) throw new Error(`${result.reject.reason}: ${result.reject.detail}`);
  if (result.record.kind !== 'dossier') throw new Error('not a dossier record');
  return result.record;
}

/**
 * Maps a sequence of records of one dossier as the adapter does, carrying the state. Every record that derives
 * an event again must derive it with the same content: the ingest's event_id claims take another content under
 * the same id for a conflict.
 */
function mapSequence(raws: { raw: unknown; observedAt?: string }[]) {
  let state: PortalDossierState | undefined;
  const events = new Map<string, ReturnType<typeof mapDossierRecord>['events'][number]>();
  const notes: string[] = [];
  for (const { raw, observedAt } of raws) {
    const parsed = readPortalRecord(raw, { officerKey: 'key-of-province-01' });
    if (!parsed.ok) throw new Error(parsed.reject.detail);
    const mapped =
      parsed.record.kind === 'dossier'
        ? mapDossierRecord(parsed.record, state, {
            ...context,
            observedAtMs: observedAt === undefined ? null : Date.parse(observedAt),
          })
        : mapHistoryRecord(parsed.record, state, 'portal');
    if (mapped.reject) throw new Error(mapped.reject.detail);
    for (const event of mapped.events) {
      const earlier = events.get(event.event_id);
      if (earlier !== undefined) expect(event, `${event.event_type} derived again`).toEqual(earlier);
      events.set(event.event_id, event);
    }
    notes.push(...mapped.notes);
    state = mapped.state ?? state;
  }
  return { events: [...events.values()], notes, state };
}

describe('portal dates', () => {
  it('reads yyyyMMddHHmmss in Vietnam time and writes it back', () => {
    const parsed = parsePortalDate('20261123081502');
    expect(parsed).toEqual({ ok: true, ms: Date.parse('2026-11-23T01:15:02Z') });
    expect(formatPortalDate(Date.parse('2026-11-23T01:15:02Z'))).toBe('20261123081502');
    expect(parsePortalDate('')).toEqual({ ok: true, ms: null });
    for (const bad of ['20260230081502', '20261323081502', '20261123251502', '2026-11-23', 'x', '2026112308150']) {
      expect(parsePortalDate(bad).ok, bad).toBe(false);
    }
  });
});

describe('reading a record at the door', () => {
  it('keeps no personal field, and the officer only as a keyed hash', () => {
    const result = readPortalRecord(dossier({}));
    expect(result.ok).toBe(true);
    const text = JSON.stringify(result);
    const personal = JSON.stringify(PERSONAL).match(/"[^"]{4,}"/g) ?? [];
    for (const value of [...personal.map((v) => v.slice(1, -1)), 'Hạnh', 'khai sinh']) {
      if (Object.keys(PERSONAL).includes(value) || ['LoaiDinhDanh', 'SoDinhDanh', 'TenTepDinhKem'].includes(value))
        continue;
      expect(text.includes(value), value).toBe(false);
    }
    const history = {
      MaHoSo: 'X-1',
      NguoiXuLy: 'Trần Văn Bình',
      ChucDanh: 'Chuyên viên',
      NoiDungXuLy: 'Chuyển xử lý',
      PhongBanXuLy: 'Bộ phận một cửa',
      ThoiDiemXuLy: '20261123090000',
      TrangThai: '4',
    };
    const withoutKey = readPortalRecord(history);
    const withKey = readPortalRecord(history, { officerKey: 'k' });
    expect(JSON.stringify(withoutKey)).not.toMatch(/Bình|Chuyên viên|Chuyển|một cửa|officer_ref|nx-/);
    expect(withKey.ok && withKey.record.kind === 'history' && withKey.record.officerRef).toMatch(/^nx-[0-9a-f]{32}$/);
    expect(JSON.stringify(withKey)).not.toMatch(/Bình/);
    // the same officer, the same reference; another key, another reference
    const again = readPortalRecord({ ...history, NguoiXuLy: ' trần văn bình ' }, { officerKey: 'k' });
    const other = readPortalRecord(history, { officerKey: 'other' });
    expect(again.ok && again.record.kind === 'history' && again.record.officerRef).toBe(
      withKey.ok && withKey.record.kind === 'history' && withKey.record.officerRef,
    );
    expect(other.ok && other.record.kind === 'history' && other.record.officerRef).not.toBe(
      withKey.ok && withKey.record.kind === 'history' && withKey.record.officerRef,
    );
  });

  const rejects: [string, unknown, string][] = [
    ['portal_not_record', [1, 2], 'an array'],
    ['portal_not_record', { MaHoSo: 'x' }, 'TrangThaiHoSo'],
    ['portal_missing_field', dossier({ MaTTHC: '' }), 'MaTTHC'],
    ['portal_missing_field', dossier({ MaHoSo: undefined }), 'MaHoSo'],
    ['portal_invalid_field', dossier({ KenhThucHien: '4' }), 'KenhThucHien'],
    ['portal_invalid_field', dossier({ TrangThaiHoSo: '11' }), 'TrangThaiHoSo'],
    ['portal_invalid_field', dossier({ MaHoSo: { nested: 'Nguyễn Thị Hạnh' } }), 'MaHoSo'],
    ['portal_invalid_date', dossier({ NgayTiepNhan: '23/11/2026 08:15' }), 'NgayTiepNhan'],
    ['portal_invalid_date', dossier({ DanhSachHoSoBoSung: [{ NgayBoSung: '20261131000000' }] }), 'NgayBoSung'],
    ['portal_dates_contradict_status', dossier({ TrangThaiHoSo: '10' }), 'NgayTra'],
    ['portal_dates_contradict_status', dossier({ NgayTiepNhan: '' }), 'NgayTiepNhan'],
    ['portal_dates_contradict_status', dossier({ NgayKetThucXuLy: '20261123100000' }), 'NgayKetThucXuLy'],
    [
      'portal_dates_contradict_status',
      dossier({ TrangThaiHoSo: '9', NgayKetThucXuLy: '20261122100000' }),
      'NgayKetThucXuLy',
    ],
    ['portal_dates_contradict_status', dossier({ TrangThaiHoSo: '3' }), 'NgayTuChoi'],
  ];
  it('has, with the mapping and unit tests below, a case for every portal reason', () => {
    const belowHere = [
      'portal_status_backwards',
      'portal_unknown_dossier',
      'portal_unmapped_unit',
      'portal_foreign_commune',
    ];
    expect(new Set([...rejects.map(([reason]) => reason), ...belowHere])).toEqual(new Set(PORTAL_REJECT_REASONS));
  });

  for (const [reason, raw, field] of rejects) {
    it(`rejects with ${reason} naming ${field}, never the value`, () => {
      const result = readPortalRecord(raw);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reject.reason).toBe(reason);
      expect(result.reject.detail).toContain(field);
      for (const value of ['23/11/2026', '20261131000000', '20261122100000', 'Nguyễn', '"4"', '"11"']) {
        expect(result.reject.detail).not.toContain(value);
      }
      expect(JSON.stringify(result)).not.toMatch(/Nguyễn|0912345678|example\.vn/);
    });
  }
});

describe('mapping records to dossier-event/1', () => {
  it('derives what the dates prove, with ids that do not depend on which record proved them', () => {
    const received = dossier({ KenhThucHien: '2', NgayNopHoSo: '20261122210000' });
    const resolved = dossier({
      KenhThucHien: '2',
      NgayNopHoSo: '20261122210000',
      TrangThaiHoSo: '10',
      NgayKetThucXuLy: '20261124100000',
      NgayTra: '20261124103000',
    });
    const alone = mapSequence([{ raw: resolved }]);
    const sequence = mapSequence([{ raw: received }, { raw: received }, { raw: resolved }, { raw: resolved }]);
    expect(alone.events.map((e) => e.event_type)).toEqual(['submitted', 'received', 'resolved', 'returned']);
    expect(sequence.events).toEqual(alone.events);
    const receivedEvent = alone.events[1];
    expect(receivedEvent).toMatchObject({
      occurred_at: '2026-11-23T01:15:02.000Z',
      due_at: '2026-11-24T10:00:00.000Z',
      commune_code: '00004',
      channel: 'online',
      procedure_code: '1.001193',
      status_code: 2,
    });
    for (const event of alone.events) {
      expect(validateDossierEvent(JSON.stringify(event), validation).ok, event.event_type).toBe(true);
    }
  });

  it('dates processing, fees, withdrawal and suspension by the history, and hashes the officer', () => {
    const { events } = mapSequence([
      { raw: dossier({}) },
      {
        raw: {
          MaHoSo: '000.00.04.H01-261123-0001',
          TrangThai: '2',
          ThoiDiemXuLy: '20261123081502',
          NguoiXuLy: 'Cán bộ một cửa',
        },
      },
      {
        raw: {
          MaHoSo: '000.00.04.H01-261123-0001',
          TrangThai: '4',
          ThoiDiemXuLy: '20261123090000',
          NguoiXuLy: 'Lê Văn Nam',
        },
      },
      { raw: dossier({ TrangThaiHoSo: '6' }) },
      { raw: { MaHoSo: '000.00.04.H01-261123-0001', TrangThai: '6', ThoiDiemXuLy: '20261123093000' } },
    ]);
    expect(events.map((e) => [e.event_type, e.occurred_at])).toEqual([
      ['received', '2026-11-23T01:15:02.000Z'],
      ['processing', '2026-11-23T02:00:00.000Z'],
      ['fee_requested', '2026-11-23T02:30:00.000Z'],
    ]);
    expect(events[1]?.officer_ref).toMatch(/^nx-/);
    expect(JSON.stringify(events)).not.toContain('Nam');
  });

  it('turns supplements into paused clocks and a moved return date, dated by the call that showed it', () => {
    const round = { NgayBoSung: '20261123100000', NgayHenTraTruoc: '20261124170000' };
    const { events, state } = mapSequence([
      { raw: dossier({}), observedAt: '2026-11-23T01:15:02Z' },
      { raw: dossier({ TrangThaiHoSo: '5', DanhSachHoSoBoSung: [round] }), observedAt: '2026-11-23T03:00:00Z' },
      {
        raw: dossier({ TrangThaiHoSo: '4', DanhSachHoSoBoSung: [{ ...round, NgayTiepNhanBoSung: '20261125080000' }] }),
        observedAt: '2026-11-25T01:00:00Z',
      },
      {
        raw: dossier({
          TrangThaiHoSo: '4',
          NgayHenTra: '20261126170000',
          DanhSachHoSoBoSung: [{ ...round, NgayTiepNhanBoSung: '20261125080000', NgayHenTraMoi: '20261126170000' }],
        }),
        observedAt: '2026-11-25T01:07:00Z',
      },
      // the officer moves the date again, with no supplement: only the comparison shows it
      {
        raw: dossier({
          TrangThaiHoSo: '4',
          NgayHenTra: '20261127170000',
          DanhSachHoSoBoSung: [{ ...round, NgayTiepNhanBoSung: '20261125080000', NgayHenTraMoi: '20261126170000' }],
        }),
        observedAt: '2026-11-26T02:00:00Z',
      },
    ]);
    expect(events.map((e) => [e.event_type, e.occurred_at, e.due_at ?? null])).toEqual([
      ['received', '2026-11-23T01:15:02.000Z', '2026-11-24T10:00:00.000Z'],
      ['supplement_requested', '2026-11-23T03:00:00.000Z', null],
      ['supplement_received', '2026-11-25T01:00:00.000Z', null],
      ['deadline_extended', '2026-11-25T01:07:00.000Z', '2026-11-26T10:00:00.000Z'],
      ['deadline_extended', '2026-11-26T02:00:00.000Z', '2026-11-27T10:00:00.000Z'],
    ]);
    expect(state?.knownDueAtMs).toHaveLength(3);
    // the last record again, alone or after the others: nothing new, nothing conflicting
    const last = mapDossierRecord(
      read(
        dossier({
          TrangThaiHoSo: '4',
          NgayHenTra: '20261127170000',
          DanhSachHoSoBoSung: [{ ...round, NgayTiepNhanBoSung: '20261125080000', NgayHenTraMoi: '20261126170000' }],
        }),
      ),
      state,
      { ...context, observedAtMs: Date.parse('2026-11-27T00:00:00Z') },
    );
    const ids = new Set(events.map((e) => e.event_id));
    expect(last.events.every((e) => ids.has(e.event_id))).toBe(true);
    for (const event of last.events) {
      expect(event).toEqual(events.find((e) => e.event_id === event.event_id));
    }
  });

  it('counts an undated moved return date of a bare record instead of inventing its date', () => {
    const { events, notes } = mapSequence([{ raw: dossier({}) }, { raw: dossier({ NgayHenTra: '20261127170000' }) }]);
    expect(events.map((e) => e.event_type)).toEqual(['received']);
    expect(notes).toEqual(['undated_due_change']);
  });

  it('recognises a 5, 6 or 8 collapsed into 9 without an end date, and never resolves on it', () => {
    const { events, notes } = mapSequence([
      { raw: dossier({}) },
      { raw: dossier({ TrangThaiHoSo: '9' }) },
      { raw: dossier({ TrangThaiHoSo: '9', DanhSachHoSoBoSung: [{ NgayBoSung: '20261123100000' }] }) },
      // the round closed: its request is derived again, the same
      {
        raw: dossier({
          TrangThaiHoSo: '4',
          DanhSachHoSoBoSung: [{ NgayBoSung: '20261123100000', NgayTiepNhanBoSung: '20261123150000' }],
        }),
      },
    ]);
    expect(events.map((e) => [e.event_type, e.status_code])).toEqual([
      ['received', 2],
      ['supplement_requested', 5],
      ['supplement_received', undefined],
    ]);
    expect(notes).toEqual(['collapsed_status', 'collapsed_status']);
    // a collapsed 9 is not final: processing goes on
    expect(
      mapSequence([{ raw: dossier({ TrangThaiHoSo: '9' }) }, { raw: dossier({ TrangThaiHoSo: '4' }) }]).events,
    ).toHaveLength(1);
  });

  it('rejects a record that moves its dossier backwards, and takes an older one out of order without a fuss', () => {
    const done = read(dossier({ TrangThaiHoSo: '10', NgayKetThucXuLy: '20261124100000', NgayTra: '20261124103000' }));
    const first = mapDossierRecord(done, undefined, { ...context, observedAtMs: Date.parse('2026-11-24T04:00:00Z') });
    const back = mapDossierRecord(read(dossier({ TrangThaiHoSo: '4' })), first.state ?? undefined, {
      ...context,
      observedAtMs: Date.parse('2026-11-25T00:00:00Z'),
    });
    expect(back.reject?.reason).toBe('portal_status_backwards');
    expect(back.reject?.detail).toContain('TrangThaiHoSo');
    const older = mapDossierRecord(read(dossier({ TrangThaiHoSo: '4' })), first.state ?? undefined, {
      ...context,
      observedAtMs: Date.parse('2026-11-23T02:00:00Z'),
    });
    expect(older.reject).toBeNull();
    expect(older.state).toBeNull();
    expect(older.events.map((e) => e.event_id)).toEqual([first.events[0]?.event_id]);
  });

  it('rejects history of a dossier it never saw', () => {
    const history = readPortalRecord({ MaHoSo: 'X-9', TrangThai: '4', ThoiDiemXuLy: '20261123090000' });
    if (!history.ok || history.record.kind !== 'history') throw new Error('unreadable');
    expect(mapHistoryRecord(history.record, undefined, 'portal').reject?.reason).toBe('portal_unknown_dossier');
  });
});

describe('envelopes', () => {
  it('unwraps an envelope, a dead letter and a bare record', () => {
    const envelope = {
      portal_call: 'CapNhat',
      province_code: '01',
      received_at: '2026-11-23T01:15:02.000Z',
      record: { MaHoSo: 'a' },
    };
    expect(portalInputOf(envelope)).toEqual({
      record: { MaHoSo: 'a' },
      call: 'CapNhat',
      provinceCode: '01',
      observedAtMs: Date.parse('2026-11-23T01:15:02Z'),
    });
    expect(portalInputOf({ topic: 'portal-dossiers.v1.dlq', headers: {}, value: JSON.stringify(envelope) })).toEqual(
      portalInputOf(envelope),
    );
    expect(portalInputOf({ MaHoSo: 'a' })).toEqual({
      record: { MaHoSo: 'a' },
      call: null,
      provinceCode: null,
      observedAtMs: null,
    });
  });
});

describe('unit mapping', () => {
  it('maps units to communes of their province, refuses another province, and never names a unit in a detail', () => {
    const parsed = parseUnitMappingCsv('unit_code,commune_code,name\n000.00.04.H01,00004,Ba Đình\nH26.01,26278,\n');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.provinces).toEqual(['01', '75']);
    const units = createUnitDirectory(parsed.rows);
    expect(units.lookup('000.00.04.H01', '01')).toEqual({ ok: true, communeCode: '00004', provinceCode: '01' });
    expect(units.lookup('000.00.04.H01', null)).toMatchObject({ ok: true, communeCode: '00004' });
    const foreign = units.lookup('H26.01', '01');
    expect(foreign).toMatchObject({ ok: false, reject: { reason: 'portal_foreign_commune' } });
    const unknown = units.lookup('000.00.99.H01', '01');
    expect(unknown).toMatchObject({ ok: false, unmapped: true, reject: { reason: 'portal_unmapped_unit' } });
    expect(!unknown.ok && unknown.reject.detail).toContain('DonViXuLy');
    expect(!unknown.ok && unknown.reject.detail).not.toContain('000.00.99.H01');
    expect(!foreign.ok && foreign.reject.detail).not.toContain('H26.01');
  });

  it('rejects a bad file whole, each problem with its line', () => {
    const parsed = parseUnitMappingCsv('unit_code,commune_code\nA,4\nB,99999\nA,00004\n,00004\n');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });
});
