import { randomUUID } from 'node:crypto';
import { type CommunePressureMessage, communePressureMessage } from '@commune-pulse/contracts';
import type { Period, WorkingCalendar } from '@commune-pulse/reference-data';
import type { Logger } from '@commune-pulse/runtime';
import { gatherInputs, loadEffectiveCatalog, saveParams, type Warehouse } from '@commune-pulse/warehouse';
import {
  actualFte,
  aggregatePressureIndex,
  applyScenario,
  type CommuneIndicator,
  computeIndicator,
  DEFAULT_PARAMS,
  type EstimationParams,
  PRESSURE_LEVELS,
  type PressureLevel,
  paramsVersion,
  type ScenarioResult,
  staffedTotals,
  wisnFactors,
  workloadByProcedure,
} from '@commune-pulse/workload';

/** Where indicator rows are announced besides the warehouse (commune-pressure.v1 when Kafka is configured). */
export interface PressurePublisher {
  publish(messages: readonly CommunePressureMessage[]): Promise<void>;
}

export interface EstimationDependencies {
  warehouse: Warehouse;
  calendar: WorkingCalendar;
  logger: Logger;
  publisher?: PressurePublisher | undefined;
  now?: () => number;
}

export interface EstimationOptions {
  period: Period;
  params?: EstimationParams;
  /** where the parameters came from: a file name or 'defaults' */
  paramsSource?: string;
  trigger: string;
  communeCodes?: readonly string[] | undefined;
}

export interface ProvincePressure {
  province_code: string;
  communes: number;
  communes_with_index: number;
  communes_without_staffing: number;
  received: number;
  required_fte: number;
  actual_fte: number;
  pressure_index: number | null;
  communes_low: number;
  communes_normal: number;
  communes_elevated: number;
  communes_high: number;
  communes_critical: number;
  proposed_staff: number;
}

export interface EstimationResult {
  runId: string;
  period: Period;
  paramsVersion: string;
  computedAtMs: number;
  indicators: CommuneIndicator[];
  provinces: ProvincePressure[];
  levels: Record<PressureLevel | 'no_staffing', number>;
  durationMs: number;
}

/** Province totals; the index is the aggregate one (`aggregatePressureIndex`) over the communes with staffing. */
export function rollUpProvinces(indicators: readonly CommuneIndicator[]): ProvincePressure[] {
  const byProvince = new Map<string, CommuneIndicator[]>();
  for (const row of indicators) {
    const rows = byProvince.get(row.province_code);
    if (rows === undefined) byProvince.set(row.province_code, [row]);
    else rows.push(row);
  }
  return [...byProvince.entries()]
    .map(([provinceCode, rows]) => provinceTotals(provinceCode, rows))
    .sort((a, b) => a.province_code.localeCompare(b.province_code));
}

function provinceTotals(provinceCode: string, rows: readonly CommuneIndicator[]): ProvincePressure {
  const staffed = staffedTotals(rows);
  const province: ProvincePressure = {
    province_code: provinceCode,
    communes: rows.length,
    communes_with_index: 0,
    communes_without_staffing: 0,
    received: 0,
    required_fte: 0,
    actual_fte: staffed.actualFte,
    pressure_index: aggregatePressureIndex(staffed),
    communes_low: 0,
    communes_normal: 0,
    communes_elevated: 0,
    communes_high: 0,
    communes_critical: 0,
    proposed_staff: 0,
  };
  for (const row of rows) {
    province.received += row.received;
    province.required_fte += row.required_fte;
    if (row.missing_staffing) province.communes_without_staffing += 1;
    if (row.pressure_index !== null) province.communes_with_index += 1;
    if (row.level !== null) province[`communes_${row.level}`] += 1;
    province.proposed_staff += row.proposed_staff ?? 0;
  }
  return province;
}

export function countLevels(indicators: readonly CommuneIndicator[]): EstimationResult['levels'] {
  const levels = Object.fromEntries(
    [...PRESSURE_LEVELS, 'no_staffing'].map((level) => [level, 0]),
  ) as EstimationResult['levels'];
  for (const row of indicators) levels[row.level ?? 'no_staffing'] += 1;
  return levels;
}

export function toMessage(
  row: CommuneIndicator,
  result: Pick<EstimationResult, 'period' | 'paramsVersion' | 'computedAtMs' | 'runId'>,
) {
  return communePressureMessage.parse({
    period_kind: result.period.kind,
    period_start: result.period.startDay,
    window_end: new Date(result.period.endMs).toISOString(),
    commune_code: row.commune_code,
    province_code: row.province_code,
    received: row.received,
    workload_minutes: row.workload_minutes,
    required_fte: row.required_fte,
    actual_fte: row.actual_fte,
    wisn_ratio: row.wisn_ratio,
    pressure_index: row.pressure_index,
    level: row.level,
    missing_staffing: row.missing_staffing,
    counters_needed: row.counters_needed,
    counters_open: row.counters_open,
    open_end: row.open_end,
    overdue_open: row.overdue_open,
    on_time_rate: row.on_time_rate,
    online_share: row.online_share,
    backlog_weeks: row.backlog_weeks,
    forecast_received_next: row.forecast_received_next,
    proposed_staff: row.proposed_staff,
    params_version: result.paramsVersion,
    run_id: result.runId,
    computed_at: new Date(result.computedAtMs).toISOString(),
  });
}

/** The catalog in force and every commune's inputs for the period, as both the official run and a what-if read them. */
async function periodInputs(dependencies: EstimationDependencies, options: EstimationOptions) {
  const catalog = await loadEffectiveCatalog(dependencies.warehouse);
  const inputs = await gatherInputs(
    dependencies.warehouse,
    options.period,
    catalog,
    dependencies.calendar,
    options.communeCodes,
  );
  return { catalog, inputs };
}

/**
 * Computes the indicators of every commune for one period from the warehouse, without storing them: what
 * both the official runs and the what-if scenarios start from.
 */
export async function computeIndicators(
  dependencies: EstimationDependencies,
  options: EstimationOptions,
): Promise<Omit<EstimationResult, 'durationMs'>> {
  const now = dependencies.now ?? Date.now;
  const params = options.params ?? DEFAULT_PARAMS;
  const factors = wisnFactors(params);
  if (!factors.ok) throw new Error(`estimation parameters: ${factors.error}`);
  const { catalog, inputs } = await periodInputs(dependencies, options);
  const version = `${catalog.version}+${paramsVersion(params)}`;
  const indicators = inputs.map((input) => computeIndicator(input, { params, factors: factors.value }).indicator);
  return {
    runId: randomUUID(),
    period: options.period,
    paramsVersion: version,
    computedAtMs: now(),
    indicators,
    provinces: rollUpProvinces(indicators),
    levels: countLevels(indicators),
  };
}

/**
 * The official run: computes, stores the rows (superseding earlier rows of the same period), records the run,
 * and announces one message per commune.
 */
export async function runEstimation(
  dependencies: EstimationDependencies,
  options: EstimationOptions,
): Promise<EstimationResult> {
  const started = performance.now();
  const params = options.params ?? DEFAULT_PARAMS;
  const { warehouse, logger } = dependencies;
  await saveParams(warehouse, params, options.paramsSource ?? 'defaults');
  const computed = await computeIndicators(dependencies, { ...options, params });
  const { period, runId, paramsVersion: version } = computed;
  const computedAt = new Date(computed.computedAtMs).toISOString();
  const periodColumns = {
    period_kind: period.kind,
    period_start: period.startDay,
    window_end: new Date(period.endMs).toISOString(),
  };
  await warehouse.insert(
    'pressure_indicators_rows',
    computed.indicators.map((row) => ({
      ...periodColumns,
      ...row,
      no_staff: row.no_staff ? 1 : 0,
      missing_staffing: row.missing_staffing ? 1 : 0,
      params_version: version,
      run_id: runId,
      computed_at: computedAt,
    })),
  );
  await warehouse.insert(
    'province_pressure_rows',
    computed.provinces.map((row) => ({
      period_kind: period.kind,
      period_start: period.startDay,
      ...row,
      params_version: version,
      run_id: runId,
      computed_at: computedAt,
    })),
  );
  if (dependencies.publisher) {
    await dependencies.publisher.publish(computed.indicators.map((row) => toMessage(row, computed)));
  }
  const durationMs = Math.round(performance.now() - started);
  await warehouse.insert('estimation_runs', [
    {
      run_id: runId,
      ...periodColumns,
      trigger: options.trigger,
      communes: computed.indicators.length,
      communes_with_index: computed.indicators.filter((row) => row.pressure_index !== null).length,
      communes_without_staffing: computed.levels.no_staffing,
      unknown_procedure_received: computed.indicators.reduce((sum, row) => sum + row.unknown_procedure_received, 0),
      params_version: version,
      params: JSON.stringify(params),
      duration_ms: durationMs,
      computed_at: computedAt,
    },
  ]);
  logger.info(
    { runId, period: period.label, communes: computed.indicators.length, durationMs, levels: computed.levels },
    'estimation stored',
  );
  return { ...computed, durationMs };
}

/**
 * A what-if: the period's figures with support staff added to chosen communes or standard minutes of chosen
 * procedures cut, beside the official ones. Nothing is stored.
 */
export async function computeScenario(
  dependencies: EstimationDependencies,
  options: EstimationOptions,
  scenario: unknown,
): Promise<ScenarioResult> {
  const params = options.params ?? DEFAULT_PARAMS;
  const { inputs } = await periodInputs(dependencies, options);
  return applyScenario({
    params,
    scenario,
    communes: inputs.map((input) => ({
      communeCode: input.communeCode,
      provinceCode: input.provinceCode,
      actualFte: input.staffing === null ? null : actualFte(input.staffing),
      weeklyWorkloadMinutesByProcedure: [
        ...input.previousWeeklyWorkloadByProcedure,
        workloadByProcedure(input.receipts),
      ],
    })),
  });
}
