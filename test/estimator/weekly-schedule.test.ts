import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@commune-pulse/contracts';
import { importNdjsonFile, openIngestContext } from '@commune-pulse/ingest';
import { defaultProcedureCatalog, parseProcedureCatalogCsv } from '@commune-pulse/reference-data';
import { createLogger, loadConfig } from '@commune-pulse/runtime';
import { openWarehouse, parseStaffingCsv, saveProcedureCatalog, saveStaffingRows } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallLinesInPreviousWeek } from '../support/example.ts';
import { readTopic } from '../support/kafka.ts';
import { REPO_ROOT, startService, stopStartedProcesses, uniqueName, waitFor } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';

const CATALOG = `procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes
*,Mặc định,khac,3,25,12
1.001193,Đăng ký khai sinh,ho_tich,0,35,15
1.003583,Đăng ký khai sinh lưu động,ho_tich,1,50,0
2.000908,Cấp bản sao từ sổ gốc,chung_thuc,0,8,5
`;
const ROSTER = `commune_code,valid_from,civil_servants,contract_staff,support_fte,counters
00283,2025-07-01,3,1,0,2
02623,2025-07-01,4,1,1.5,3
12280,2025-07-01,1,0,0,1
05605,2025-07-01,2,1,0,2
32071,2025-07-01,2,0,0.5,2
`;
const MINUTES: Record<string, number> = { '1.001193': 35, '1.003583': 50, '2.000908': 8 };
const DEFAULT_MINUTES = 25;
/** The import replaces the shipped minutes of the codes it names; the shipped rows stand for the others. */
function minutesOf(procedure: string): number {
  const shipped = defaultProcedureCatalog().lookup(procedure);
  return MINUTES[procedure] ?? (shipped.known ? shipped.standardMinutes : DEFAULT_MINUTES);
}
const STAFF: Record<string, number> = { '00283': 4, '02623': 6.5, '12280': 1, '05605': 3, '32071': 2.5 };

let services: Awaited<ReturnType<typeof resolveTestServices>>;
let root: string;
beforeAll(async () => {
  services = await resolveTestServices();
  root = mkdtempSync(join(tmpdir(), 'cp-estimator-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  await services.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The hand computation: received dossiers per commune and procedure in the week, straight from the lines. */
function receivedByHand(lines: string[], weekStart: string) {
  const start = Date.parse(`${weekStart}T00:00:00+07:00`);
  const end = start + 7 * 86_400_000;
  const seen = new Set<string>();
  const received = new Map<string, Map<string, Set<string>>>();
  for (const line of lines) {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (!event || typeof event !== 'object' || event.event_type !== 'received' || typeof event.event_id !== 'string')
      continue;
    if (seen.has(event.event_id) || event.event_id.startsWith('bad')) continue;
    seen.add(event.event_id);
    const at = Date.parse(String(event.occurred_at));
    if (!(at >= start && at < end)) continue;
    const commune = String(event.commune_code);
    const byProcedure = received.get(commune) ?? new Map<string, Set<string>>();
    const dossiers = byProcedure.get(String(event.procedure_code)) ?? new Set<string>();
    dossiers.add(String(event.dossier_id));
    byProcedure.set(String(event.procedure_code), dossiers);
    received.set(commune, byProcedure);
  }
  return received;
}

describe('the weekly estimation, run by BullMQ from its scheduler', () => {
  it('stores indicator rows equal to the hand computation and publishes one message per commune', async () => {
    const startedAt = Date.now();
    const dataDir = join(root, 'warehouse');
    const { lines, weekStart } = smallLinesInPreviousWeek(startedAt);
    const eventsPath = join(root, 'events.ndjson');
    writeFileSync(eventsPath, `${lines.join('\n')}\n`);

    const logger = createLogger('test', 'silent');
    const context = await openIngestContext(loadConfig({ COMMUNE_PULSE_DATA_DIR: dataDir }), logger);
    try {
      await importNdjsonFile(eventsPath, { pipeline: context.createPipeline(context.localDeadLetters()) });
      await context.derive();
      const catalog = parseProcedureCatalogCsv(CATALOG, { source: 'test-procedures.csv' });
      if (!catalog.ok) throw new Error(JSON.stringify(catalog.errors));
      await saveProcedureCatalog(context.warehouse, catalog.catalog, 'test-procedures.csv');
      const roster = parseStaffingCsv(ROSTER);
      if (!roster.ok) throw new Error(JSON.stringify(roster.errors));
      await saveStaffingRows(context.warehouse, roster.rows, 'test-staffing.csv');
    } finally {
      await context.close();
    }

    const prefix = uniqueName('cp-test');
    const estimator = startService(join(REPO_ROOT, 'services', 'estimator', 'src', 'main.ts'), {
      COMMUNE_PULSE_DATA_DIR: dataDir,
      REDIS_URL: services.redisUrl,
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      BULLMQ_PREFIX: prefix,
      ESTIMATOR_WEEKLY_CRON: '*/3 * * * * *',
      ESTIMATOR_ROLLING_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(() => estimator.output().includes('estimation job done'), 60_000, 'a scheduled weekly run');
    } catch (error) {
      estimator.child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}; the estimator printed:\n${estimator.output().slice(-3000)}`);
    }
    estimator.child.kill('SIGTERM');
    expect(await estimator.exited, estimator.output()).toBe(0);
    expect(estimator.output()).toContain('scheduler registered');

    const warehouse = await openWarehouse({ dataDir });
    try {
      const rows = await warehouse.query<Record<string, unknown>>(
        `SELECT commune_code, received, workload_minutes, required_fte, actual_fte, pressure_index, level, missing_staffing, params_version
         FROM pressure_indicators WHERE period_kind = 'week' AND period_start = {week:Date}`,
        { week: weekStart },
      );
      expect(rows).toHaveLength(3321);
      const byCommune = new Map(rows.map((row) => [row.commune_code as string, row]));
      const received = receivedByHand(lines, weekStart);
      const weeklyHours = ((260 - (11 + 12 + 5 + 5)) * 8) / 52;
      for (const [commune, staff] of Object.entries(STAFF)) {
        const procedures = received.get(commune) ?? new Map<string, Set<string>>();
        let count = 0;
        let minutes = 0;
        for (const [procedure, dossiers] of procedures) {
          count += dossiers.size;
          minutes += dossiers.size * minutesOf(procedure);
        }
        const required = (minutes / 60 / weeklyHours) * (1 / (1 - 0.2));
        const index = required / staff;
        const level =
          index < 0.8 ? 'low' : index < 1 ? 'normal' : index < 1.2 ? 'elevated' : index < 1.5 ? 'high' : 'critical';
        const row = byCommune.get(commune);
        expect(row?.received, commune).toBe(count);
        expect(row?.workload_minutes, commune).toBe(minutes);
        expect(row?.required_fte as number).toBeCloseTo(required, 9);
        expect(row?.actual_fte).toBe(staff);
        expect(row?.pressure_index as number).toBeCloseTo(index, 9);
        expect(row?.level, commune).toBe(level);
      }
      // 26278 has events but no roster row: no index, counted as missing staffing.
      expect(byCommune.get('26278')).toMatchObject({ pressure_index: null, level: null, missing_staffing: 1 });
      const [quality] = await warehouse.query<{ without: number }>(
        'SELECT communes_without_staffing AS without FROM data_quality WHERE communes_without_staffing IS NOT NULL ORDER BY day DESC LIMIT 1',
      );
      expect(quality?.without).toBe(3321 - 5);

      const runs = await warehouse.query<{ run_id: string }>(
        "SELECT run_id FROM estimation_runs WHERE period_kind = 'week' ORDER BY computed_at DESC LIMIT 1",
      );
      const runId = runs[0]?.run_id;
      const messages = (await readTopic(services.kafkaBrokers, TOPICS.communePressure))
        .map((message) => JSON.parse(message.value ?? '{}') as { run_id: string; commune_code: string })
        .filter((message) => message.run_id === runId);
      expect(messages).toHaveLength(3321);
      expect(new Set(messages.map((message) => message.commune_code)).size).toBe(3321);
    } finally {
      await warehouse.close();
    }
  });
});
