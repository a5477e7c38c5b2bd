import { describe, expect, it } from 'vitest';
import {
  buildUnitRegistry,
  communeByCode,
  communes,
  isKnownCommune,
  provinceByCode,
  provinceOfCommune,
  provinces,
} from './units.ts';

describe('administrative units after the 2025 reform', () => {
  it('has the 34 provinces and 3,321 commune-level units', () => {
    expect(provinces()).toHaveLength(34);
    expect(communes()).toHaveLength(3321);
  });

  it('knows the communes used in the example data and rejects unknown codes', () => {
    for (const code of ['00283', '02623', '12280', '05605', '32071', '26278', '00004']) {
      expect(isKnownCommune(code), code).toBe(true);
      expect(communeByCode(code)?.code).toBe(code);
    }
    for (const code of ['99999', '4', '0004', '000040', '', ' 00004']) {
      expect(isKnownCommune(code), code).toBe(false);
      expect(communeByCode(code)).toBeUndefined();
      expect(provinceOfCommune(code)).toBeUndefined();
    }
  });

  it('derives the province and the kind of a commune', () => {
    expect(communeByCode('00004')).toEqual({
      code: '00004',
      name: 'Phường Ba Đình',
      provinceCode: '01',
      kind: 'phuong',
    });
    expect(provinceOfCommune('00004')).toBe('01');
    expect(provinceByCode('01')).toEqual({ code: '01', name: 'Thành phố Hà Nội', type: 'thanh_pho' });
    expect(communeByCode('02623')?.kind).toBe('xa');
    expect(communeByCode('31078')).toMatchObject({ name: 'Đặc khu Phú Quốc', kind: 'dac_khu' });
  });

  it('keeps codes well formed, unique and consistent', () => {
    const provinceCodes = provinces().map((p) => p.code);
    expect(provinceCodes.every((c) => /^\d{2}$/.test(c))).toBe(true);
    expect(new Set(provinceCodes).size).toBe(34);
    const communeCodes = communes().map((c) => c.code);
    expect(communeCodes.every((c) => /^\d{5}$/.test(c))).toBe(true);
    expect(new Set(communeCodes).size).toBe(3321);
    expect([...communeCodes].sort()).toEqual(communeCodes);
    const perProvince = new Map<string, number>();
    for (const c of communes()) perProvince.set(c.provinceCode, (perProvince.get(c.provinceCode) ?? 0) + 1);
    expect([...perProvince.keys()].sort()).toEqual(provinceCodes);
    expect(provinces().filter((p) => p.type === 'thanh_pho')).toHaveLength(6);
  });

  it('counts every kind of commune-level unit', () => {
    const byKind = { xa: 0, phuong: 0, dac_khu: 0 };
    for (const c of communes()) byKind[c.kind] += 1;
    expect(byKind).toEqual({ xa: 2621, phuong: 687, dac_khu: 13 });
  });

  it('normalises names to NFC', () => {
    for (const unit of [...provinces(), ...communes()]) expect(unit.name).toBe(unit.name.normalize('NFC'));
    // Stored decomposed in the package: the precomposed spelling must find it.
    expect(communes().some((c) => c.name === 'Phường Gò Vấp')).toBe(true);
  });

  it('returns frozen data', () => {
    expect(Object.isFrozen(communes())).toBe(true);
    expect(Object.isFrozen(communeByCode('00004'))).toBe(true);
  });
});

describe('buildUnitRegistry', () => {
  const table = (name: string, data: unknown[]) => ({ type: 'table', name, database: 'address', data });
  const province = { province_code: '01', name: 'Thành phố Hà Nội', place_type: 'Thành phố Trung Ương' };
  const ward = { ward_code: '00004', name: 'Phường Ba Đình', province_code: '01' };

  it('builds from the package layout', () => {
    const registry = buildUnitRegistry([{ type: 'header' }, table('provinces', [province]), table('wards', [ward])]);
    expect(registry.communes).toEqual([{ code: '00004', name: 'Phường Ba Đình', provinceCode: '01', kind: 'phuong' }]);
  });

  it('fails loudly on data it does not understand', () => {
    expect(() => buildUnitRegistry({})).toThrow(/array/);
    expect(() => buildUnitRegistry([table('provinces', [province])])).toThrow(/wards is missing/);
    expect(() =>
      buildUnitRegistry([table('provinces', [province]), table('wards', [{ ...ward, province_code: '02' }])]),
    ).toThrow(/unknown province 02/);
    expect(() =>
      buildUnitRegistry([table('provinces', [province]), table('wards', [{ ...ward, name: 'Thị trấn X' }])]),
    ).toThrow(/kind of commune/);
    expect(() => buildUnitRegistry([table('provinces', [province]), table('wards', [ward, ward])])).toThrow(
      /duplicate commune/,
    );
    expect(() =>
      buildUnitRegistry([table('provinces', [{ ...province, place_type: 'Quận' }]), table('wards', [])]),
    ).toThrow(/place_type/);
    expect(() =>
      buildUnitRegistry([table('provinces', [province]), table('wards', [{ ...ward, ward_code: 4 }])]),
    ).toThrow(/ward_code is not a string/);
  });
});
