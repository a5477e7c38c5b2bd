import type { CommuneKind, ProcedureCatalog } from '@commune-pulse/reference-data';
import { cumulative } from './random.ts';

// The numbers in this file are calibration choices, not measurements: they give the shape commune centers are
// known to have (civil status and certification dominate, Monday queues, same-day certification) so that the
// pipeline and the workload estimation can be exercised at national scale. Change them here, in one place.

/**
 * Share of receipts per procedure code of the shipped catalog (percent, before the commune-kind adjustments).
 * Civil status (hộ tịch) and certification (chứng thực) are about two thirds of what a commune center receives;
 * residence registration mostly moved to the commune police in 2021, so cư trú is small here.
 */
export const PROCEDURE_WEIGHTS: Readonly<Record<string, number>> = {
  // hộ tịch
  '1.001193': 8, // khai sinh
  '1.000894': 2.5, // kết hôn
  '1.000656': 2, // khai tử
  '1.003583': 0.1, // khai sinh lưu động
  '1.004884': 0.6, // đăng ký lại khai sinh
  '1.004746': 0.1, // đăng ký lại kết hôn
  '1.004873': 5, // xác nhận tình trạng hôn nhân
  '1.001022': 0.4, // nhận cha, mẹ, con
  '1.000689': 0.3, // khai sinh kết hợp nhận cha, mẹ, con
  '1.004837': 0.1, // giám hộ
  '1.004845': 0.05, // chấm dứt giám hộ
  '2.000635': 4, // bản sao trích lục hộ tịch
  // chứng thực
  '2.000815': 24, // bản sao từ bản chính
  '2.000884': 7, // chữ ký
  '2.000908': 1.5, // bản sao từ sổ gốc
  '2.001035': 3, // giao dịch về tài sản
  '2.001019': 0.3, // di chúc
  // cư trú
  '1.004222': 2,
  '1.004194': 2.5,
  '1.002755': 0.5,
  '1.003197': 0.4,
  '1.010028': 0.4,
  '1.010038': 0.3,
  '1.003677': 0.3,
  '2.001159': 0.5,
  '1.010041': 1.5,
  // đất đai
  '1.013978': 2,
  '1.012784': 1.2,
  // bảo trợ xã hội
  '1.001776': 3,
  '1.001731': 0.4,
  '1.001699': 0.6,
  // hộ kinh doanh
  '1.001612': 1.5,
  '2.000720': 0.8,
  '1.001266': 0.4,
  // liên thông, codes seen in the provinces' streams
  '2.001023': 4,
  '1.004227': 2,
  '3.000171': 2,
  '1.010829': 1.5,
};

/** Weight of a catalog code this table does not know (a ministry catalog may add codes). */
const OTHER_CATALOG_CODE_WEIGHT = 0.2;

/**
 * Codes of valid shape that the shipped catalog lacks: real streams carry procedures the catalog has not caught
 * up with, and the pipeline must accept them and count them in data quality.
 */
export const UNLISTED_PROCEDURE_CODES: readonly string[] = ['1.009994', '2.002165'];
const UNLISTED_WEIGHT_EACH = 0.3;

/** Rural communes handle more land and social-protection files, urban wards more business and certification. */
const KIND_DOMAIN_FACTORS: Readonly<Record<CommuneKind, Readonly<Record<string, number>>>> = {
  xa: { dat_dai: 1.4, bao_tro_xa_hoi: 1.4, nguoi_co_cong: 1.3, ho_kinh_doanh: 0.7, chung_thuc: 0.9 },
  phuong: { dat_dai: 0.6, bao_tro_xa_hoi: 0.7, ho_kinh_doanh: 1.6, chung_thuc: 1.2 },
  dac_khu: { dat_dai: 1.2, bao_tro_xa_hoi: 1.2, ho_kinh_doanh: 1.2 },
};

/** What a dossier of one procedure needs from the catalog and the lifecycle model. */
export type ProcedureProfile = {
  readonly code: string;
  readonly domain: string;
  readonly deadlineWorkingDays: number;
  readonly standardMinutes: number;
  readonly counterMinutes: number;
  readonly supplementProbability: number;
  readonly feeProbability: number;
};

export type ProcedureMix = {
  readonly procedures: readonly ProcedureProfile[];
  readonly table: Float64Array;
  /** Expected standard minutes per received dossier: the WISN workload of one dossier of this mix. */
  readonly meanStandardMinutes: number;
  /** Expected counter minutes per in-person dossier. */
  readonly meanCounterMinutes: number;
};

// Citizens are asked for missing documents far more often for land and social files than for a copy.
const SUPPLEMENT_BY_DOMAIN: Readonly<Record<string, number>> = {
  ho_tich: 0.03,
  chung_thuc: 0.005,
  cu_tru: 0.04,
  dat_dai: 0.2,
  bao_tro_xa_hoi: 0.12,
  ho_kinh_doanh: 0.08,
  lien_thong: 0.06,
};
const FEE_BY_DOMAIN: Readonly<Record<string, number>> = {
  ho_tich: 0.05,
  chung_thuc: 0.12,
  cu_tru: 0.08,
  dat_dai: 0.6,
  ho_kinh_doanh: 0.5,
};

export function procedureMix(catalog: ProcedureCatalog, kind: CommuneKind): ProcedureMix {
  const factors = KIND_DOMAIN_FACTORS[kind];
  const rows: { profile: ProcedureProfile; weight: number }[] = [];
  const profileOf = (code: string): ProcedureProfile => {
    const row = catalog.lookup(code);
    return {
      code,
      domain: row.domain,
      deadlineWorkingDays: row.deadlineWorkingDays,
      standardMinutes: row.standardMinutes,
      counterMinutes: row.counterMinutes,
      supplementProbability: SUPPLEMENT_BY_DOMAIN[row.domain] ?? 0.05,
      feeProbability: FEE_BY_DOMAIN[row.domain] ?? 0.02,
    };
  };
  for (const standard of catalog.standards) {
    const base = PROCEDURE_WEIGHTS[standard.code] ?? OTHER_CATALOG_CODE_WEIGHT;
    rows.push({ profile: profileOf(standard.code), weight: base * (factors[standard.domain] ?? 1) });
  }
  for (const code of UNLISTED_PROCEDURE_CODES) {
    // A custom catalog may name them; then they are ordinary rows above.
    if (catalog.standards.some((s) => s.code === code)) continue;
    rows.push({ profile: profileOf(code), weight: UNLISTED_WEIGHT_EACH });
  }
  const total = rows.reduce((sum, r) => sum + r.weight, 0);
  return {
    procedures: rows.map((r) => r.profile),
    table: cumulative(rows.map((r) => r.weight)),
    meanStandardMinutes: rows.reduce((sum, r) => sum + r.weight * r.profile.standardMinutes, 0) / total,
    meanCounterMinutes: rows.reduce((sum, r) => sum + r.weight * r.profile.counterMinutes, 0) / total,
  };
}

/** Counter demand by weekday, Monday first (normalised to a mean of 1 over the five working days). */
export const COUNTER_WEEKDAY_FACTORS: readonly number[] = normalise([1.12, 1.04, 1, 0.97, 0.87], 5);

/**
 * Online submissions by weekday, Monday first, Sunday last: people submit at weekends too, less. Normalised so
 * that a week's online submissions equal five average working days, as counter demand does, which keeps the
 * online share of receipts equal to the configured curve.
 */
export const ONLINE_WEEKDAY_FACTORS: readonly number[] = normalise([1.05, 1, 1, 0.95, 0.9, 0.35, 0.35], 5);

/** Online submissions on a public holiday, relative to the same weekday otherwise. */
export const ONLINE_HOLIDAY_FACTOR = 0.5;

/** Counter arrivals per half hour of the office day, 07:00–11:30 then 13:30–17:00: a mid-morning peak. */
export const COUNTER_HALF_HOUR_WEIGHTS: readonly number[] = [
  0.7, 1, 1.3, 1.4, 1.4, 1.3, 1.1, 0.9, 0.5, 0.6, 0.9, 1, 1, 0.9, 0.6, 0.4,
];
export const COUNTER_HALF_HOUR_TABLE = cumulative(COUNTER_HALF_HOUR_WEIGHTS);

/** Online submissions per clock hour, 00:00 to 23:00: office hours and the evening after work. */
export const ONLINE_HOUR_WEIGHTS: readonly number[] = [
  0.2, 0.1, 0.05, 0.05, 0.05, 0.15, 0.4, 0.8, 1.2, 1.4, 1.4, 1.2, 0.9, 0.9, 1.2, 1.3, 1.2, 1, 0.8, 0.9, 1.1, 1, 0.7,
  0.4,
];
export const ONLINE_HOUR_TABLE = cumulative(ONLINE_HOUR_WEIGHTS);

/** Share of in-person demand that arrives by post instead. */
export const POSTAL_SHARE = 0.03;

/** Dossiers refused at intake (incomplete, wrong authority), by channel: online files are checked after the fact. */
export const INTAKE_REFUSED = { counter: 0.008, online: 0.03, postal: 0.02 } as const;

export const WITHDRAWN_PROBABILITY = 0.006;
export const SUSPENDED_PROBABILITY = 0.002;

function normalise(values: readonly number[], total: number): readonly number[] {
  const sum = values.reduce((s, v) => s + v, 0);
  return values.map((v) => (v * total) / sum);
}
