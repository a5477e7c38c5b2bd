import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Alerter,
  addSilence,
  evaluateAfterRun,
  evaluatePendingRuns,
  loadAlerterConfig,
  openAlerter,
} from '@commune-pulse/alerter';
import { alertWebhookBody } from '@commune-pulse/contracts';
import { addDays } from '@commune-pulse/reference-data';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_MS,
  HOUR_MS,
  runRow,
  signatureValid,
  startReceiver,
  startSmtp,
  storeDays,
  windowEndOf,
} from './support.ts';

// One embedded warehouse for the file (one engine per process). The tests run in order and each uses later
// days than the one before: alerts move forward in time, an older period is a recomputation of the past.

const logger = createLogger('test', 'silent');
const SECRETS = {
  SECRET_HA_NOI: 'ha-noi-secret-0123456789',
  SECRET_CRITICAL: 'critical-secret-0123456789',
  SECRET_CAO_BANG: 'cao-bang-secret-0123456789',
};
const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

let root: string;
let dataDir: string;
let warehouse: Warehouse;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-alerts-'));
  dataDir = join(root, 'warehouse');
  warehouse = await openWarehouse({ dataDir });
});
afterAll(async () => {
  await warehouse?.close();
  rmSync(root, { recursive: true, force: true });
});

function config(routing: object, extra: Record<string, string> = {}) {
  const file = join(root, `routing-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(routing));
  return loadAlerterConfig({
    COMMUNE_PULSE_DATA_DIR: dataDir,
    ALERT_ROUTING_FILE: file,
    ALERT_RETRY_BASE_MS: '1000',
    ALERT_RETRY_MAX_MS: '4000',
    ...SECRETS,
    ...extra,
  });
}

async function count(sql: string, params?: Record<string, unknown>): Promise<number> {
  const rows = await warehouse.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** The warehouse, except that recording a run as evaluated fails: a crash right before the watermark. */
function crashingBeforeWatermark(inner: Warehouse): Warehouse {
  return {
    ...inner,
    mode: inner.mode,
    location: inner.location,
    client: inner.client,
    query: inner.query.bind(inner),
    command: inner.command.bind(inner),
    close: inner.close.bind(inner),
    async insert(table, rows, options) {
      if (table === 'alert_evaluations') throw new Error('crash before the run is marked evaluated');
      return inner.insert(table, rows, options);
    },
  };
}

describe('evaluation and webhooks, in-process on the embedded warehouse', () => {
  it('fires once per episode and resolves once; nothing is sent twice across a crash and restarts', async () => {
    const receiver = await startReceiver();
    const routing = {
      webhooks: [
        { id: 'ha-noi', url: receiver.url('/ha-noi'), secret_env: 'SECRET_HA_NOI', provinces: ['01'] },
        { id: 'critical', url: receiver.url('/critical'), secret_env: 'SECRET_CRITICAL', levels: ['critical'] },
      ],
    };
    const first = '2026-10-01';
    let clock = windowEndOf(addDays(first, 14)) + 5 * 60_000;
    const options = { now: () => clock };
    try {
      // 15 days at 1.6 in Phường Ba Đình (Hà Nội); 1.0 in a Cao Bằng commune.
      const { runId } = await storeDays(
        warehouse,
        first,
        { '00004': repeat(1.6, 15), '01273': repeat(1.0, 15) },
        clock,
      );

      // The first evaluation crashes after storing transitions and deliveries, before the watermark.
      const crashing = await openAlerter(config(routing), logger, {
        ...options,
        warehouse: crashingBeforeWatermark(warehouse),
      });
      await expect(crashing.tick()).rejects.toThrow(/crash before/);
      await crashing.close();
      expect(await count('SELECT count() AS n FROM alert_transitions')).toBe(4);
      expect(await count("SELECT count() AS n FROM alert_outbox WHERE status = 'pending'")).toBe(3);

      // A restart evaluates the run again: the same transitions and deliveries, not a second copy.
      const afterCrash = await openAlerter(config(routing), logger, { ...options, warehouse });
      const evaluations = await evaluatePendingRuns(afterCrash.context);
      expect(evaluations.map((e) => e.outcome)).toEqual(['evaluated']);
      await afterCrash.close();
      expect(await count('SELECT count() AS n FROM alert_transitions')).toBe(4);
      expect(await count('SELECT count() AS n FROM alert_outbox')).toBe(3);
      expect(await count('SELECT count() AS n FROM alert_evaluations')).toBe(1);
      expect(receiver.received).toHaveLength(0);

      // Restart between evaluation and delivery: a new alerter over a reopened warehouse sends each once.
      await warehouse.close();
      warehouse = await openWarehouse({ dataDir });
      let alerter: Alerter = await openAlerter(config(routing), logger, { ...options, warehouse });
      const tick = await alerter.tick();
      expect(tick.evaluations).toEqual([]);
      expect(tick.dispatch).toMatchObject({ sent: 3, failed: 0 });
      await alerter.close();
      alerter = await openAlerter(config(routing), logger, { ...options, warehouse });
      expect((await alerter.tick()).dispatch.sent).toBe(0);
      expect(await evaluateAfterRun(alerter.context, runId)).toMatchObject({ outcome: 'already evaluated' });

      expect(
        receiver.received.map((r) => `${r.path} ${JSON.parse(r.body).rule} ${JSON.parse(r.body).state}`).sort(),
      ).toEqual([
        '/critical critical_overload firing',
        '/ha-noi critical_overload firing',
        '/ha-noi overloaded firing',
      ]);
      for (const request of receiver.received) {
        const secret = request.path === '/ha-noi' ? SECRETS.SECRET_HA_NOI : SECRETS.SECRET_CRITICAL;
        expect(signatureValid(secret, request.body, request.signature)).toBe(true);
        expect(signatureValid('another-secret-0123456789', request.body, request.signature)).toBe(false);
        const body = alertWebhookBody.parse(JSON.parse(request.body));
        expect(body.delivery_id).toBe(request.delivery);
        expect(body).toMatchObject({ commune_code: '00004', commune_name: 'Phường Ba Đình', province_code: '01' });
        expect(body.episode_start).toBe(first);
        expect(body.explain_command).toBe('pnpm cli explain --commune 00004 --week 2026-W42');
      }

      // An hourly rerun of the same day recomputes the period: nothing moves, nothing is queued.
      clock += HOUR_MS;
      await storeDays(warehouse, addDays(first, 14), { '00004': [1.7] }, clock);
      const rerun = await alerter.tick();
      expect(rerun.evaluations.map((e) => [e.outcome, e.transitions.length])).toEqual([['evaluated', 0]]);
      expect(rerun.dispatch.sent).toBe(0);

      // Seven daily runs below 1.1, each evaluated after it ran: critical_overload resolves on the first
      // (< 1.3), overloaded on the seventh.
      const recovered: string[] = [];
      let resolutionsSent = 0;
      for (let day = 15; day <= 21; day++) {
        clock = windowEndOf(addDays(first, day)) + 5 * 60_000;
        await storeDays(warehouse, addDays(first, day), { '00004': [1.0] }, clock);
        const tick = await alerter.tick();
        recovered.push(
          ...tick.evaluations.flatMap((e) => e.transitions.map((t) => `${e.periodStart} ${t.rule} ${t.to_state}`)),
        );
        resolutionsSent += tick.dispatch.sent;
      }
      expect(recovered).toEqual(['2026-10-16 critical_overload resolved', '2026-10-22 overloaded resolved']);
      expect(resolutionsSent).toBe(3);

      // A recomputation of an old period after that moves nothing.
      await warehouse.insert('estimation_runs', [runRow('rolling7d', addDays(first, 3), 'old-period-run', clock)]);
      expect((await alerter.tick()).evaluations.map((e) => e.outcome)).toEqual(['stale']);
      await alerter.close();

      const deliveries = receiver.received.map((r) => r.delivery);
      expect(new Set(deliveries).size).toBe(6);
      const alerts = await warehouse.query<{
        rule: string;
        state: string;
        episode: number;
        fired: number;
        resolved: number;
      }>(
        `SELECT rule, state, episode, countIf(to_state = 'firing') AS fired, countIf(to_state = 'resolved') AS resolved
         FROM alerts JOIN alert_transitions USING (alert_id) WHERE commune_code = '00004'
         GROUP BY rule, state, episode ORDER BY rule`,
      );
      expect(alerts).toEqual([
        { rule: 'critical_overload', state: 'resolved', episode: 1, fired: 1, resolved: 1 },
        { rule: 'overloaded', state: 'resolved', episode: 1, fired: 1, resolved: 1 },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('a receiver that fails at first gets the webhook later, on a backoff that survives a restart', async () => {
    const receiver = await startReceiver({ failFirst: 2 });
    const routing = {
      webhooks: [{ id: 'cao-bang', url: receiver.url('/hook'), secret_env: 'SECRET_CAO_BANG', provinces: ['04'] }],
    };
    const day = '2026-10-25';
    const t0 = windowEndOf(day) + 60_000;
    let clock = t0;
    const options = { now: () => clock, warehouse };
    try {
      await storeDays(warehouse, day, { '01273': [1.7] }, t0);
      let alerter = await openAlerter(config(routing), logger, options);
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 0, failed: 1 });
      clock = t0 + 500;
      expect((await alerter.tick()).dispatch).toMatchObject({ failed: 0, waiting: 1 });
      clock = t0 + 1_000;
      expect((await alerter.tick()).dispatch).toMatchObject({ failed: 1 });
      await alerter.close();
      alerter = await openAlerter(config(routing), logger, options);
      clock = t0 + 2_900; // 1 s + 2 s after the second failure is not yet
      expect((await alerter.tick()).dispatch).toMatchObject({ failed: 0, waiting: 1 });
      clock = t0 + 3_000;
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 1 });
      clock = t0 + DAY_MS;
      expect((await alerter.tick()).dispatch.sent).toBe(0);
      await alerter.close();
      expect(receiver.requests()).toBe(3);
      expect(receiver.received).toHaveLength(1);
      expect(
        await count('SELECT count() AS n FROM alert_delivery_attempts WHERE delivery_id = {id:String}', {
          id: receiver.received[0]?.delivery,
        }),
      ).toBe(3);
    } finally {
      await receiver.close();
    }
  });

  it('a silenced commune changes state and is recorded, but nobody is notified', async () => {
    const receiver = await startReceiver();
    const routing = {
      webhooks: [{ id: 'ha-noi', url: receiver.url('/ha-noi'), secret_env: 'SECRET_HA_NOI', provinces: ['01'] }],
    };
    const day = '2026-10-26';
    const clock = windowEndOf(day) + 60_000;
    try {
      await addSilence(
        warehouse,
        {
          commune_code: '00008',
          rule: 'critical_overload',
          until_ms: clock + DAY_MS,
          reason: 'known: staff on training',
          created_by: 'test',
        },
        clock - HOUR_MS,
      );
      await storeDays(warehouse, day, { '00008': [1.8], '00070': [1.8] }, clock);
      const alerter = await openAlerter(config(routing), logger, { now: () => clock, warehouse });
      const tick = await alerter.tick();
      await alerter.close();
      expect(tick.dispatch).toMatchObject({ sent: 1, silenced: 1 });
      expect(receiver.received.map((r) => JSON.parse(r.body).commune_code)).toEqual(['00070']);
      const states = await warehouse.query<{ commune_code: string; state: string }>(
        "SELECT commune_code, state FROM alerts WHERE rule = 'critical_overload' AND commune_code IN ('00008', '00070') ORDER BY commune_code",
      );
      expect(states).toEqual([
        { commune_code: '00008', state: 'firing' },
        { commune_code: '00070', state: 'firing' },
      ]);
      expect(
        await count("SELECT count() AS n FROM alert_outbox FINAL WHERE commune_code = '00008' AND status = 'silenced'"),
      ).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('e-mail in Vietnamese: critical at once, the rest in one digest a day per recipient', async () => {
    const smtp = await startSmtp();
    const routing = {
      emails: [
        { address: 'so-noi-vu@hanoi.gov.vn', name: 'Sở Nội vụ Hà Nội', provinces: ['01'] },
        { address: 'truc-ban@moha.gov.vn', levels: ['critical'] },
      ],
    };
    const first = '2026-10-13';
    const last = addDays(first, 14); // 2026-10-27
    let clock = windowEndOf(last) + 60_000; // 2026-11-03 10:01 Vietnam time
    try {
      await storeDays(warehouse, first, { '00025': repeat(1.6, 15), '00082': repeat(1.3, 15) }, clock);
      const alerter = await openAlerter(config(routing, { SMTP_URL: smtp.url }), logger, {
        now: () => clock,
        warehouse,
      });
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 2, failed: 0 });
      await smtp.settled();
      expect(smtp.mails.map((mail) => mail.to).sort()).toEqual(['so-noi-vu@hanoi.gov.vn', 'truc-ban@moha.gov.vn']);
      for (const mail of smtp.mails) {
        expect(mail.subject).toBe(
          '[commune-pulse] Cảnh báo quá tải nghiêm trọng: Phường Giảng Võ (00025), Thành phố Hà Nội',
        );
        expect(mail.text).toContain('■ ĐANG CẢNH BÁO: Quá tải nghiêm trọng (critical_overload), mức nghiêm trọng');
        expect(mail.text).toContain('Đơn vị: Phường Giảng Võ (mã 00025), Thành phố Hà Nội (mã 01)');
        expect(mail.text).toContain('Chỉ số áp lực: 1,6 (mức nghiêm trọng); nhân sự cần 6,4, hiện có 4');
        expect(mail.text).toContain('Xem chi tiết: pnpm cli explain --commune 00025 --week 2026-W44');
        expect(mail.messageId).toBe(`<${mail.deliveryHeader}@commune-pulse>`);
      }
      expect(smtp.mails.find((mail) => mail.to === 'so-noi-vu@hanoi.gov.vn')?.text).toMatch(
        /^Kính gửi Sở Nội vụ Hà Nội,/,
      );

      // The overloaded alerts of both communes wait for the 07:00 digest of the next day.
      clock = windowEndOf(last) + 20 * HOUR_MS; // 06:01
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 0 });
      clock = windowEndOf(last) + 21 * HOUR_MS; // 07:01
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 2 });
      clock += DAY_MS;
      expect((await alerter.tick()).dispatch).toMatchObject({ sent: 0 });
      await alerter.close();
      await smtp.settled();
      expect(smtp.mails).toHaveLength(3);
      const digest = smtp.mails[2];
      expect(digest?.to).toBe('so-noi-vu@hanoi.gov.vn');
      expect(digest?.subject).toBe('[commune-pulse] Tổng hợp cảnh báo ngày 04/11/2026: 2 cảnh báo mới');
      expect(digest?.text).toContain('Đơn vị: Phường Giảng Võ (mã 00025)');
      expect(digest?.text).toContain('Đơn vị: Phường Cửa Nam (mã 00082)');
      expect(digest?.text).toContain('Điều kiện cảnh báo: chỉ số áp lực ≥ 1,2 trong 14 ngày liên tiếp');
      expect(digest?.deliveryHeader.split(',')).toHaveLength(2);
      writeFileSync(join(root, 'mails.json'), JSON.stringify(smtp.mails, null, 2));
    } finally {
      await smtp.close();
    }
  });

  it('catching up on runs of days long past records the changes but notifies no one', async () => {
    const receiver = await startReceiver();
    const routing = {
      webhooks: [{ id: 'ha-noi', url: receiver.url('/ha-noi'), secret_env: 'SECRET_HA_NOI', provinces: ['01'] }],
    };
    const day = '2026-11-04';
    const clock = windowEndOf(day) + 4 * DAY_MS; // the alerter was down for four days
    try {
      await storeDays(warehouse, day, { '00091': [1.9] }, windowEndOf(day));
      const alerter = await openAlerter(config(routing), logger, { now: () => clock, warehouse });
      const tick = await alerter.tick();
      await alerter.close();
      expect(tick.evaluations.flatMap((e) => e.transitions.map((t) => `${t.rule} ${t.to_state}`))).toEqual([
        'overloaded pending',
        'critical_overload pending',
        'critical_overload firing',
      ]);
      expect(tick.dispatch.sent).toBe(0);
      expect(receiver.requests()).toBe(0);
      expect(
        await count("SELECT count() AS n FROM alert_outbox FINAL WHERE commune_code = '00091' AND status = 'dropped'"),
      ).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('deadline_slippage counts the dossiers resolved in the window and needs 20 of them', async () => {
    const receiver = await startReceiver();
    const routing = {
      webhooks: [{ id: 'cao-bang', url: receiver.url('/hook'), secret_env: 'SECRET_CAO_BANG', provinces: ['04'] }],
    };
    const day = '2026-11-05';
    const end = windowEndOf(day);
    const dossier = (commune: string, index: number, resolvedAt: number, onTime: boolean) => ({
      dossier_id: `${commune}-${index}`,
      commune_code: commune,
      province_code: '04',
      procedure_code: '1.001193',
      channel: 'counter',
      received_at: new Date(resolvedAt - DAY_MS).toISOString(),
      due_at: new Date(resolvedAt + (onTime ? HOUR_MS : -HOUR_MS)).toISOString(),
      resolved_at: new Date(resolvedAt).toISOString(),
      returned_at: null,
      closed_at: new Date(resolvedAt).toISOString(),
      last_event_type: 'resolved',
      last_event_at: new Date(resolvedAt).toISOString(),
      is_open: 0,
      on_time: onTime ? 1 : 0,
      processing_hours: 8,
      event_count: 2,
      derived_version: 1,
    });
    try {
      await warehouse.insert('dossiers_rows', [
        // 01279: 22 resolved in the window (12 on time), 5 more just before it
        ...Array.from({ length: 22 }, (_, i) => dossier('01279', i, end - (i + 1) * 3 * HOUR_MS, i < 12)),
        ...Array.from({ length: 5 }, (_, i) => dossier('01279', 100 + i, end - 7 * DAY_MS - (i + 1) * HOUR_MS, false)),
        // 01288: the same rate on 19 dossiers, and one resolved right at the window's end (the next window's)
        ...Array.from({ length: 19 }, (_, i) => dossier('01288', i, end - (i + 1) * 3 * HOUR_MS, i < 10)),
        dossier('01288', 99, end, false),
      ]);
      const clock = end + 60_000;
      await storeDays(
        warehouse,
        day,
        {
          '01279': [{ pressure_index: 1, on_time_rate: 12 / 22 }],
          '01288': [{ pressure_index: 1, on_time_rate: 10 / 19 }],
        },
        clock,
      );
      const alerter = await openAlerter(config(routing), logger, { now: () => clock, warehouse });
      const tick = await alerter.tick();
      await alerter.close();
      const changes = tick.evaluations.flatMap((e) => e.transitions);
      expect(changes.map((t) => `${t.rule} ${t.commune_code} ${t.to_state} ${t.figures.resolved}`)).toEqual([
        'deadline_slippage 01279 pending 22',
        'deadline_slippage 01279 firing 22',
      ]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
