import { readFileSync } from 'node:fs';
import type { PeriodRequest } from '@commune-pulse/contracts';
import {
  computeScenario,
  enqueueEstimation,
  estimationQueue,
  loadEstimatorConfig,
  resolvePeriod,
  runEstimation,
} from '@commune-pulse/estimator';
import { communeByCode, defaultCalendar, type Period, provinceByCode } from '@commune-pulse/reference-data';
import { createLogger, startMemorySampler } from '@commune-pulse/runtime';
import { openJobLayer } from '@commune-pulse/runtime/jobs';
import { openWarehouse } from '@commune-pulse/warehouse';
import { type EstimationParams, resolveParams } from '@commune-pulse/workload';
import { environmentFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const ESTIMATE_USAGE = `usage:
  pnpm cli estimate --week <YYYY-Www> [--params params.json] [--scenario scenario.json] [--json] [--in-process]
  pnpm cli estimate --rolling [--at <YYYY-MM-DD or ISO time>] [...]
  computes and stores the indicators of every commune for the period (a scenario is computed and printed,
  never stored); with REDIS_URL set the run is queued for the estimator service unless --in-process`;

/** Parses --params: a params.json (every key optional) or the defaults. */
export function paramsFrom(path: string | undefined, usage: string): { params?: EstimationParams; source: string } {
  if (path === undefined) return { source: 'defaults' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path} as JSON: ${(error as Error).message}`, usage);
  }
  const resolved = resolveParams(raw);
  if (!resolved.ok) throw new UsageError(`bad parameters in ${path}:\n  ${resolved.errors.join('\n  ')}`, usage);
  return { params: resolved.params, source: path };
}

export function periodRequestFrom(
  values: { week?: string | undefined; rolling?: boolean | undefined; at?: string | undefined },
  usage: string,
): PeriodRequest {
  if ((values.week === undefined) === (values.rolling !== true)) {
    throw new UsageError('give exactly one period: --week <YYYY-Www> or --rolling', usage);
  }
  if (values.week !== undefined) {
    if (!/^\d{4}-W\d{2}$/.test(values.week))
      throw new UsageError(`--week takes YYYY-Www, e.g. 2026-W47; got ${values.week}`, usage);
    return { kind: 'week', week: values.week };
  }
  if (values.at === undefined) return { kind: 'rolling' };
  const atMs = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(values.at) ? `${values.at}T00:00:00+07:00` : values.at);
  if (!Number.isFinite(atMs)) throw new UsageError(`--at takes a date or an ISO time, got ${values.at}`, usage);
  return { kind: 'rolling', atMs };
}

function checkedPeriod(request: PeriodRequest, usage: string): Period {
  try {
    return resolvePeriod(request, Date.now());
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

function communeLabel(code: string): string {
  const commune = communeByCode(code);
  if (!commune) return code;
  return `${code} ${commune.name} (${provinceByCode(commune.provinceCode)?.name ?? commune.provinceCode})`;
}

export async function estimateCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      week: { type: 'string' },
      rolling: { type: 'boolean' },
      at: { type: 'string' },
      params: { type: 'string' },
      scenario: { type: 'string' },
      json: { type: 'boolean' },
      'in-process': { type: 'boolean' },
    },
    ESTIMATE_USAGE,
  );
  if (values.help) {
    console.log(ESTIMATE_USAGE);
    return;
  }
  const request = periodRequestFrom(values, ESTIMATE_USAGE);
  const period = checkedPeriod(request, ESTIMATE_USAGE);
  const { params, source } = paramsFrom(values.params, ESTIMATE_USAGE);
  const config = loadEstimatorConfig(environmentFrom(values));
  const logger = createLogger('estimate', config.logLevel === 'info' ? 'warn' : config.logLevel);

  if (config.redisUrl && !values['in-process'] && values.scenario === undefined && values.params === undefined) {
    const jobs = openJobLayer({ redisUrl: config.redisUrl, bullmqPrefix: config.bullmqPrefix }, logger);
    try {
      const queue = estimationQueue(jobs);
      const job = await enqueueEstimation(queue, request, 'on-demand:cli');
      console.error(
        `queued ${job.id} for the estimator service; waiting (pnpm cli estimate --in-process runs it here)`,
      );
      const result = await job.finished(30 * 60_000);
      console.log(
        values.json
          ? JSON.stringify(result)
          : `stored ${result.communes} communes for ${result.period} (${result.runId}) in ${result.durationMs} ms`,
      );
    } finally {
      await jobs.close();
    }
    return;
  }

  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const dependencies = { warehouse, calendar: defaultCalendar(), logger };
    if (values.scenario !== undefined) {
      let scenario: unknown;
      try {
        scenario = JSON.parse(readFileSync(values.scenario, 'utf8'));
      } catch (error) {
        throw new UsageError(`cannot read ${values.scenario} as JSON: ${(error as Error).message}`, ESTIMATE_USAGE);
      }
      const result = await computeScenario(dependencies, { period, params, trigger: 'scenario' }, scenario);
      if (!result.ok)
        throw new UsageError(`bad scenario in ${values.scenario}:\n  ${result.errors.join('\n  ')}`, ESTIMATE_USAGE);
      printScenario(period, result, values.json === true);
      return;
    }
    const memory = startMemorySampler();
    const result = await runEstimation(dependencies, {
      period,
      params,
      paramsSource: source,
      trigger: 'on-demand:cli',
    });
    const top = result.indicators
      .filter((row) => row.pressure_index !== null)
      .sort((a, b) => (b.pressure_index as number) - (a.pressure_index as number))
      .slice(0, 10);
    if (values.json) {
      console.log(
        JSON.stringify({
          run_id: result.runId,
          period: period.label,
          period_kind: period.kind,
          period_start: period.startDay,
          params_version: result.paramsVersion,
          communes: result.indicators.length,
          levels: result.levels,
          top: top.map((row) => ({
            commune_code: row.commune_code,
            pressure_index: row.pressure_index,
            level: row.level,
          })),
          duration_ms: result.durationMs,
          ...memory.stop(),
        }),
      );
      return;
    }
    console.log(
      `${period.label}: ${result.indicators.length} communes in ${(result.durationMs / 1000).toFixed(1)} s, params ${result.paramsVersion}`,
    );
    console.log('\ncommunes per level');
    console.log(formatTable(Object.entries(result.levels).map(([level, communes]) => ({ level, communes }))));
    console.log('\nthe ten most pressured');
    console.log(
      formatTable(
        top.map((row) => ({
          commune: communeLabel(row.commune_code),
          pressure: Number((row.pressure_index as number).toFixed(2)),
          level: row.level,
          required_fte: Number(row.required_fte.toFixed(1)),
          actual_fte: row.actual_fte,
          received: row.received,
          overdue: row.overdue_open,
        })),
      ),
    );
  } finally {
    await warehouse.close();
  }
}

function printScenario(
  period: Period,
  result: Extract<Awaited<ReturnType<typeof computeScenario>>, { ok: true }>,
  json: boolean,
) {
  const changed = result.communes.filter(
    (c) =>
      c.baseline.pressure.level !== c.scenario.pressure.level ||
      c.baseline.requiredFte !== c.scenario.requiredFte ||
      c.baseline.actualFte !== c.scenario.actualFte,
  );
  // The communes the scenario moves most come first.
  const shift = (c: (typeof changed)[number]) =>
    Math.abs((c.scenario.pressure.pressureIndex ?? 0) - (c.baseline.pressure.pressureIndex ?? 0));
  changed.sort((a, b) => shift(b) - shift(a));
  const levels = (side: 'baseline' | 'scenario') => {
    const counts: Record<string, number> = {};
    for (const commune of result.communes) {
      const level = commune[side].pressure.level ?? 'no_staffing';
      counts[level] = (counts[level] ?? 0) + 1;
    }
    return counts;
  };
  if (json) {
    console.log(
      JSON.stringify({
        period: period.label,
        stored: false,
        levels: { baseline: levels('baseline'), scenario: levels('scenario') },
        totals: result.totals,
        changed: changed.length,
        warnings: result.warnings,
      }),
    );
    return;
  }
  console.log(`${period.label}: what-if scenario (computed, not stored)`);
  const before = levels('baseline');
  const after = levels('scenario');
  console.log(
    formatTable(
      ['low', 'normal', 'elevated', 'high', 'critical', 'no_staffing'].map((level) => ({
        level,
        official: before[level] ?? 0,
        scenario: after[level] ?? 0,
      })),
    ),
  );
  console.log(
    `\nnational proposal: ${result.totals.baseline.national.proposedStaff} official, ${result.totals.scenario.national.proposedStaff} under the scenario`,
  );
  console.log(`\ncommunes whose figures change: ${changed.length}`);
  console.log(
    formatTable(
      changed.slice(0, 20).map((c) => ({
        commune: communeLabel(c.communeCode),
        pressure_official:
          c.baseline.pressure.pressureIndex === null ? null : Number(c.baseline.pressure.pressureIndex.toFixed(2)),
        pressure_scenario:
          c.scenario.pressure.pressureIndex === null ? null : Number(c.scenario.pressure.pressureIndex.toFixed(2)),
        level_official: c.baseline.pressure.level,
        level_scenario: c.scenario.pressure.level,
      })),
    ),
  );
  for (const warning of result.warnings) console.log(`note: ${warning}`);
}
