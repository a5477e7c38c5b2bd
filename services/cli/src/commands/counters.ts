import { countersNeeded } from '@commune-pulse/workload';
import { parseCommand, positiveNumber, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const COUNTERS_USAGE = `usage: pnpm cli counters --arrivals-per-hour <λ> --handling-minutes <m> [--target 0.8] [--within-minutes 15] [--json]
  how many counters (quầy) keep the wait short: the Erlang C table and the answer`;

export async function countersCommand(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      'arrivals-per-hour': { type: 'string' },
      'handling-minutes': { type: 'string' },
      target: { type: 'string' },
      'within-minutes': { type: 'string' },
      json: { type: 'boolean' },
    },
    COUNTERS_USAGE,
  );
  if (values.help) {
    console.log(COUNTERS_USAGE);
    return;
  }
  const arrivalsPerHour = positiveNumber(values['arrivals-per-hour'], '--arrivals-per-hour', COUNTERS_USAGE);
  const handlingMinutes = positiveNumber(values['handling-minutes'], '--handling-minutes', COUNTERS_USAGE);
  if (arrivalsPerHour === undefined || handlingMinutes === undefined) {
    throw new UsageError('give --arrivals-per-hour and --handling-minutes', COUNTERS_USAGE);
  }
  const target = values.target === undefined ? 0.8 : Number(values.target);
  if (!(target > 0 && target < 1))
    throw new UsageError(`--target is a share between 0 and 1, e.g. 0.8; got ${values.target}`, COUNTERS_USAGE);
  const withinMinutes = values['within-minutes'] === undefined ? 15 : Number(values['within-minutes']);
  if (!(Number.isFinite(withinMinutes) && withinMinutes >= 0)) {
    throw new UsageError(`--within-minutes takes minutes >= 0; got ${values['within-minutes']}`, COUNTERS_USAGE);
  }
  let result: ReturnType<typeof countersNeeded>;
  try {
    result = countersNeeded({ arrivalsPerHour, handlingMinutes, targetServiceLevel: target, withinMinutes });
  } catch (error) {
    throw new UsageError((error as Error).message, COUNTERS_USAGE);
  }
  if (values.json) {
    console.log(
      JSON.stringify({
        arrivals_per_hour: arrivalsPerHour,
        handling_minutes: handlingMinutes,
        target,
        within_minutes: withinMinutes,
        offered_load: result.offeredLoad,
        counters_needed: result.countersNeeded,
        rows: result.rows,
      }),
    );
    return;
  }
  console.log(
    `offered load A = ${arrivalsPerHour}/h × ${handlingMinutes} min = ${result.offeredLoad.toFixed(3)} Erlang; target ${target * 100} % served within ${withinMinutes} min\n`,
  );
  console.log(
    formatTable(
      result.rows.map((row) => ({
        counters: row.counters,
        p_wait: Number(row.probabilityOfWaiting.toFixed(4)),
        service_level: Number(row.serviceLevel.toFixed(4)),
        avg_wait_min: row.averageWaitMinutes === null ? null : Number(row.averageWaitMinutes.toFixed(2)),
        occupancy: row.occupancy === null ? null : Number(row.occupancy.toFixed(3)),
      })),
    ),
  );
  console.log(`\ncounters needed: ${result.countersNeeded ?? 'more than the search bound'}`);
}
