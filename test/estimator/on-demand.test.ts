import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimationQueue } from '@commune-pulse/estimator';
import { importNdjsonFile, openIngestContext } from '@commune-pulse/ingest';
import { isoWeekLabel } from '@commune-pulse/reference-data';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { openJobLayer } from '@commune-pulse/runtime/jobs';
import { openWarehouse, parseStaffingCsv, saveStaffingRows } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallLinesInPreviousWeek } from '../support/example.ts';
import {
  freePort,
  gatewayUrl,
  REPO_ROOT,
  runCli,
  startCli,
  startGateway,
  startService,
  stopStartedProcesses,
  uniqueName,
  waitFor,
} from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';

let services: Awaited<ReturnType<typeof resolveTestServices>>;
let root: string;
beforeAll(async () => {
  services = await resolveTestServices();
  root = mkdtempSync(join(tmpdir(), 'cp-on-demand-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  await services.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('on-demand estimation through the queue', () => {
  it('runs once for requests made while it is pending, and anew once it finished', async () => {
    const port = await freePort();
    const url = gatewayUrl(port);
    await startGateway(join(root, 'warehouse'), port);
    const { lines, weekStart } = smallLinesInPreviousWeek(Date.now());
    const eventsPath = join(root, 'events.ndjson');
    writeFileSync(eventsPath, `${lines.join('\n')}\n`);
    const context = await openIngestContext(loadConfig({ CLICKHOUSE_URL: url }), createLogger('test', 'silent'));
    try {
      await importNdjsonFile(eventsPath, { pipeline: context.createPipeline(context.localDeadLetters()) });
      await context.derive();
      const roster = parseStaffingCsv(
        'commune_code,valid_from,civil_servants,contract_staff,support_fte,counters\n00283,2025-07-01,3,1,0,2\n',
      );
      if (!roster.ok) throw new Error('roster');
      await saveStaffingRows(context.warehouse, roster.rows, 'test');
    } finally {
      await context.close();
    }

    const prefix = uniqueName('cp-test');
    const env = { CLICKHOUSE_URL: url, REDIS_URL: services.redisUrl, BULLMQ_PREFIX: prefix, LOG_LEVEL: 'info' };
    const week = isoWeekLabel(weekStart);
    const args = ['estimate', '--week', week, '--json'];
    // Two requests while no estimator runs: both wait on the one pending job.
    const first = startCli(args, env);
    const second = startCli(args, env);
    await waitFor(
      () => first.output().includes('queued') && second.output().includes('queued'),
      60_000,
      'both requests to be queued',
    );
    const estimator = startService(join(REPO_ROOT, 'services', 'estimator', 'src', 'main.ts'), {
      ...env,
      // the schedules stay out of the way: only on-demand runs here
      ESTIMATOR_WEEKLY_CRON: '0 0 1 1 *',
      ESTIMATOR_ROLLING_CRON: '0 0 1 1 *',
    });
    expect(await first.exited, first.output()).toBe(0);
    expect(await second.exited, second.output()).toBe(0);
    const runOf = (output: string) => JSON.parse(output.trim().split('\n').at(-1) as string).runId as string;
    expect(runOf(first.output())).toBe(runOf(second.output()));
    // Once it finished, asking again computes the period anew.
    const third = await runCli(args, env);
    expect(third.code, third.output).toBe(0);
    expect(runOf(third.output)).not.toBe(runOf(first.output()));

    const warehouse = await openWarehouse({ clickhouseUrl: url, dataDir: root });
    try {
      const runs = await warehouse.query<{ n: number }>(
        "SELECT count() AS n FROM estimation_runs WHERE period_kind = 'week' AND period_start = {week:Date}",
        { week: weekStart },
      );
      expect(runs[0]?.n).toBe(2);
      const [row] = await warehouse.query<{ level: string | null; actual_fte: number }>(
        "SELECT level, actual_fte FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {week:Date} AND commune_code = '00283'",
        { week: weekStart },
      );
      expect(row?.actual_fte).toBe(4);
      expect(row?.level).not.toBeNull();
    } finally {
      await warehouse.close();
    }
    estimator.child.kill('SIGTERM');
    expect(await estimator.exited).toBe(0);
    const jobs = openJobLayer({ redisUrl: services.redisUrl, bullmqPrefix: prefix }, createLogger('test', 'warn'));
    await estimationQueue(jobs).obliterate();
    await jobs.close();
  });
});
