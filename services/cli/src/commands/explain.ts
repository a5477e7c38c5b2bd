import { loadEstimatorConfig, resolvePeriod } from '@commune-pulse/estimator';
import { communeByCode, provinceByCode } from '@commune-pulse/reference-data';
import { explainCommune, openWarehouse } from '@commune-pulse/warehouse';
import { DEFAULT_PARAMS, wisnFactors } from '@commune-pulse/workload';
import { environmentFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';
import { paramsFrom, periodRequestFrom } from './estimate.ts';

export const EXPLAIN_USAGE = `usage: pnpm cli explain --commune <code> --week <YYYY-Www> [--params params.json] [--json]
  every input and every step from dossier counts to the pressure level, as a person would check it by hand`;

export async function explainCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    { commune: { type: 'string' }, week: { type: 'string' }, params: { type: 'string' }, json: { type: 'boolean' } },
    EXPLAIN_USAGE,
  );
  if (values.help) {
    console.log(EXPLAIN_USAGE);
    return;
  }
  const code = values.commune;
  if (code === undefined) throw new UsageError('give the commune: --commune <5-digit code>', EXPLAIN_USAGE);
  const commune = communeByCode(code);
  if (!commune) throw new UsageError(`${code} is not a commune-level unit of the registry`, EXPLAIN_USAGE);
  if (values.week === undefined) throw new UsageError('give the week: --week <YYYY-Www>', EXPLAIN_USAGE);
  const period = resolvePeriod(periodRequestFrom({ week: values.week }, EXPLAIN_USAGE), Date.now());
  const { params = DEFAULT_PARAMS } = paramsFrom(values.params, EXPLAIN_USAGE);
  const factors = wisnFactors(params);
  if (!factors.ok) throw new UsageError(`parameters: ${factors.error}`, EXPLAIN_USAGE);
  const config = loadEstimatorConfig(environmentFrom(values));
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const explained = await explainCommune(warehouse, code, period, params);
    const { inputs, steps: explanation } = explained;
    if (values.json) {
      const { catalog_calibration: _calibration, ...shown } = explained;
      console.log(JSON.stringify(shown));
      return;
    }
    console.log(
      `${code} ${commune.name}, ${provinceByCode(commune.provinceCode)?.name ?? commune.provinceCode} — ${period.label} (${period.startDay} to the Sunday, Vietnam time)`,
    );
    console.log(
      `catalog ${explained.catalog_version}${explained.catalog_calibration ? ' (calibration defaults)' : ''}\n`,
    );
    console.log('dossiers received, by procedure');
    console.log(
      formatTable(
        inputs.receipts.map((r) => ({
          procedure: r.procedureCode,
          in_catalog: r.known ? 'yes' : 'no (default row)',
          received: r.received,
          at_counter: r.receivedAtCounter,
          standard_minutes: r.standardMinutes,
          counter_minutes: r.counterMinutes,
          workload_minutes: r.received * r.standardMinutes,
        })),
      ),
    );
    console.log(
      `\nresolved ${inputs.resolved} (on time ${inputs.resolvedOnTime}), online ${inputs.receivedOnline}, open at the end ${inputs.openEnd} (overdue ${inputs.overdueOpen})`,
    );
    console.log(`busiest counter hour per working day: ${inputs.counterPeakHourArrivals.join(', ') || '—'}`);
    console.log(
      `weeks of history for the proposal: ${inputs.previousWeeklyWorkloadByProcedure.length}, days for the forecast: ${inputs.dailyReceived.length}\n`,
    );
    console.log(formatTable(explanation.map((step) => ({ step: step.step, how: step.formula, result: step.value }))));
  } finally {
    await warehouse.close();
  }
}
