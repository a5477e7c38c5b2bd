import { type CommuneStaffingRow, STAFFING_FIELDS } from '@commune-pulse/contracts';
import {
  type Commune,
  type CommuneKind,
  communeByCode,
  communes,
  defaultProcedureCatalog,
  formatDay,
  isoWeekStartDayNumber,
  type ProcedureCatalog,
  parseDay,
  provinceByCode,
} from '@commune-pulse/reference-data';
import { COUNTER_HALF_HOUR_WEIGHTS, COUNTER_WEEKDAY_FACTORS, type ProcedureMix, procedureMix } from './domain.ts';
import { hashSeed, mulberry32, normal } from './random.ts';

/** One row of `staffing.csv` (spec/reference-inputs.md), with the CSV's column names: the contract's roster row. */
export type StaffingRow = Readonly<CommuneStaffingRow>;

/** The columns of `staffing.csv`, in the order the simulator writes them (the contract's fields). */
export const STAFFING_COLUMNS = STAFFING_FIELDS;

/** What decides how much a commune receives and how well it keeps up; the ground truth behind the events. */
export type CommuneProfile = {
  readonly commune: Commune;
  /** The commune code as a number, for keying random streams. */
  readonly key: number;
  /** Expected dossiers received per working day (the volume scale applied). */
  readonly meanDailyReceipts: number;
  /** This commune's deviation from the national online share (zero on average over communes). */
  readonly onlineOffset: number;
  /** Chronically understaffed at the start of the span: staff well below what its volume needs. */
  readonly overloaded: boolean;
  /** Required FTE by the WISN method (indicators §2, default parameters) for the expected volume. */
  readonly requiredFte: number;
  /** Roster rows, oldest first; the first applies from the start of the span. */
  readonly staffing: readonly StaffingRow[];
  /** required / actual FTE from each roster row's first day (day numbers), matching `staffing`. */
  readonly pressures: readonly { readonly fromDay: number; readonly pressure: number }[];
  readonly sourceSystem: string;
  /** Pseudonymous officer references (hashes, never names), one per FTE or so. */
  readonly officers: readonly string[];
  readonly mix: ProcedureMix;
};

export type SimulationScope = {
  /** Any unsigned 32-bit integer; the same seed and options give the same output. */
  readonly seed: number;
  /** Commune codes to simulate; default all 3,321. */
  readonly communeCodes?: readonly string[] | undefined;
  /** First simulated day, `YYYY-MM-DD` (Vietnam time). */
  readonly startDay: string;
  /** Number of days simulated from `startDay`. */
  readonly days: number;
  /** Multiplier of every commune's volume (staff scale with it, so pressures stay the same); default 1. */
  readonly scale?: number | undefined;
  /** Share of communes that are chronically overloaded; default 0.12. */
  readonly overloadedShare?: number | undefined;
  /** The procedure catalog deadlines and minutes come from; default the shipped one. */
  readonly catalog?: ProcedureCatalog | undefined;
};

// Median working-day receipts by kind of unit: wards in towns see several times what a rural commune sees, the
// island special zones (đặc khu) are small. The spread within a kind is log-normal.
const MEDIAN_DAILY_RECEIPTS: Readonly<Record<CommuneKind, number>> = { xa: 14, phuong: 42, dac_khu: 5 };
const CITY_FACTOR = 1.3;
const SIZE_SIGMA = 0.8;
const MIN_DAILY_RECEIPTS = 2;
const MAX_DAILY_RECEIPTS = 250;
const ONLINE_OFFSET_SPREAD = 0.16;
export const DEFAULT_OVERLOADED_SHARE = 0.12;

// WISN with the default estimation parameters (reference-inputs.md params.json, indicators §2): AWT = (260 − (11
// + 12 + 5 + 5)) × 8 h = 1,816 h a year; category allowance 20 % gives CAF = 1.25.
const AWT_HOURS = (260 - (11 + 12 + 5 + 5)) * 8;
const CATEGORY_ALLOWANCE_FACTOR = 1 / (1 - 0.2);
const WEEKS_PER_YEAR = 52;

/** Required FTE for a week of `weeklyMinutes` of dossier work, by the indicators' formula. */
export function requiredFteForWeek(weeklyMinutes: number): number {
  return (weeklyMinutes / 60 / (AWT_HOURS / WEEKS_PER_YEAR)) * CATEGORY_ALLOWANCE_FACTOR;
}

const SALT_PROFILE = 0x51a7e;
const SALT_OFFICER = 0x0ff1ce;
const VENDORS = ['igate', 'motcua', 'dvc'] as const;

/** The communes of a scope, deduplicated and in code order; throws RangeError naming unknown codes. */
export function scopeCommunes(codes: readonly string[] | undefined): readonly Commune[] {
  if (codes === undefined) return communes();
  const unknown = codes.filter((code) => communeByCode(code) === undefined);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(', ');
    throw new RangeError(
      `unknown commune code(s): ${shown}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`,
    );
  }
  return [...new Set(codes)].sort().map((code) => communeByCode(code) as Commune);
}

/**
 * The profiles of the scope's communes. A commune's profile depends only on the seed, its code, the scale and
 * the overloaded share (and, for reinforcement rows, on the span), never on which other communes are simulated.
 */
export function communeProfiles(scope: SimulationScope): CommuneProfile[] {
  checkScope(scope);
  const catalog = scope.catalog ?? defaultProcedureCatalog();
  const mixes = new Map<CommuneKind, ProcedureMix>();
  const mixOf = (kind: CommuneKind): ProcedureMix => {
    let mix = mixes.get(kind);
    if (mix === undefined) {
      mix = procedureMix(catalog, kind);
      mixes.set(kind, mix);
    }
    return mix;
  };
  const startDayNumber = parseDay(scope.startDay);
  return scopeCommunes(scope.communeCodes).map((commune) =>
    profileOf(commune, scope, mixOf(commune.kind), startDayNumber),
  );
}

function profileOf(commune: Commune, scope: SimulationScope, mix: ProcedureMix, startDay: number): CommuneProfile {
  const key = Number(commune.code);
  const random = mulberry32(hashSeed(scope.seed, key, SALT_PROFILE));
  const city = provinceByCode(commune.provinceCode)?.type === 'thanh_pho';
  const median = MEDIAN_DAILY_RECEIPTS[commune.kind] * (city ? CITY_FACTOR : 1);
  const size = Math.min(
    MAX_DAILY_RECEIPTS,
    Math.max(MIN_DAILY_RECEIPTS, median * Math.exp(SIZE_SIGMA * normal(random))),
  );
  const meanDailyReceipts = size * (scope.scale ?? 1);
  const onlineOffset = (random() - 0.5) * ONLINE_OFFSET_SPREAD;
  const overloaded = random() < (scope.overloadedShare ?? DEFAULT_OVERLOADED_SHARE);
  // actual / required FTE: comfortable to slightly short for most, 50–75 % of the need for the overloaded.
  const staffRatio = overloaded ? 0.5 + 0.25 * random() : 0.95 + 0.6 * random();
  const requiredFte = requiredFteForWeek(meanDailyReceipts * 5 * mix.meanStandardMinutes);
  const civilShare = 0.6 + 0.15 * random();
  const supportShare = random() < 0.3 ? 0.1 * random() : 0;
  const first = roster(requiredFte * staffRatio, civilShare, supportShare);
  const counters = countersFor(meanDailyReceipts, mix.meanCounterMinutes, overloaded);
  const staffing: StaffingRow[] = [{ commune_code: commune.code, valid_from: scope.startDay, ...first, counters }];
  const pressures = [{ fromDay: startDay, pressure: requiredFte / fteOf(first) }];

  // A third of the overloaded communes get support staff (final-year students, volunteers) half-way through a
  // span of four weeks or more: a roster change the estimation must pick up from valid_from on.
  const reinforced = overloaded && scope.days >= 28 && random() < 1 / 3;
  if (reinforced) {
    const day = Math.max(startDay + 7, isoWeekStartDayNumber(startDay + Math.floor(scope.days / 2)));
    const target = requiredFte * (1.05 + 0.15 * random());
    const support = round2(first.support_fte + Math.max(0.1, target - fteOf(first)));
    const row = { ...first, support_fte: support };
    staffing.push({ commune_code: commune.code, valid_from: formatDay(day), ...row, counters: counters + 1 });
    pressures.push({ fromDay: day, pressure: requiredFte / fteOf(row) });
  }

  const officerCount = Math.max(1, Math.round(fteOf(first) + 0.5));
  const officers = Array.from(
    { length: officerCount },
    (_, i) => `o${hashSeed(scope.seed, key, SALT_OFFICER, i).toString(16).padStart(8, '0')}`,
  );
  const provinceNumber = Number(commune.provinceCode);
  return {
    commune,
    key,
    meanDailyReceipts,
    onlineOffset,
    overloaded,
    requiredFte,
    staffing,
    pressures,
    sourceSystem: `sim-${VENDORS[provinceNumber % VENDORS.length]}-${commune.provinceCode}`,
    officers,
    mix,
  };
}

function roster(actualFte: number, civilShare: number, supportShare: number) {
  // FTE to two decimals: a small commune can have a fraction of one person's time on dossiers, and coarser
  // rounding would move its pressure by more than the overload margin.
  const total = Math.max(0.1, actualFte);
  const civil = Math.max(0.05, round2(total * civilShare));
  const support = round2(total * supportShare);
  const contract = Math.max(0, round2(total - civil - support));
  return { civil_servants: civil, contract_staff: contract, support_fte: support };
}

function fteOf(row: { civil_servants: number; contract_staff: number; support_fte: number }): number {
  return row.civil_servants + row.contract_staff + row.support_fte;
}

const PEAK_HALF_HOUR_SHARE =
  Math.max(...COUNTER_HALF_HOUR_WEIGHTS) / COUNTER_HALF_HOUR_WEIGHTS.reduce((sum, w) => sum + w, 0);

/** Counters that serve a Monday's busiest hour (square-root staffing rule), one fewer where overloaded. */
function countersFor(meanDailyReceipts: number, meanCounterMinutes: number, overloaded: boolean): number {
  const mondayInPerson = meanDailyReceipts * 0.65 * (COUNTER_WEEKDAY_FACTORS[0] ?? 1);
  const erlangs = mondayInPerson * 2 * PEAK_HALF_HOUR_SHARE * (meanCounterMinutes / 60);
  const needed = Math.ceil(erlangs + Math.sqrt(erlangs) + 0.3);
  return Math.max(1, overloaded ? needed - 1 : needed);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The pressure (required / actual FTE) in force on a day. */
export function pressureOn(profile: CommuneProfile, dayNumber: number): number {
  let pressure = profile.pressures[0]?.pressure ?? 1;
  for (const segment of profile.pressures) if (segment.fromDay <= dayNumber) pressure = segment.pressure;
  return pressure;
}

/** The staffing roster of the scope's communes (rows valid from the first simulated day, then any changes). */
export function simulateStaffing(scope: SimulationScope): StaffingRow[] {
  return communeProfiles(scope).flatMap((profile) => profile.staffing);
}

/** `staffing.csv` text: header row, one line per row, numbers without trailing zeros. */
export function formatStaffingCsv(rows: readonly StaffingRow[]): string {
  const lines = rows.map((row) => STAFFING_COLUMNS.map((column) => String(row[column])).join(','));
  return `${STAFFING_COLUMNS.join(',')}\n${lines.map((line) => `${line}\n`).join('')}`;
}

export function checkScope(scope: SimulationScope): void {
  if (!Number.isInteger(scope.seed) || scope.seed < 0 || scope.seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${scope.seed}`);
  }
  parseDay(scope.startDay);
  if (!Number.isInteger(scope.days) || scope.days < 1) {
    throw new RangeError(`days must be a whole number of at least 1, got ${scope.days}`);
  }
  if (scope.scale !== undefined && !(scope.scale > 0 && Number.isFinite(scope.scale))) {
    throw new RangeError(`scale must be a positive number, got ${scope.scale}`);
  }
  const share = scope.overloadedShare;
  if (share !== undefined && !(share >= 0 && share <= 1)) {
    throw new RangeError(`overloadedShare must be between 0 and 1, got ${share}`);
  }
}
