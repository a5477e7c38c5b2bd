import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertWebhookBody, communeAlertMessage, TOPICS } from '@commune-pulse/contracts';
import { addDays } from '@commune-pulse/reference-data';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  gatewayUrl,
  REPO_ROOT,
  type RunningProcess,
  runCli,
  sleep,
  startGateway,
  startService,
  stopStartedProcesses,
  uniqueName,
  waitFor,
} from '../support/processes.ts';
import { resolveTestServices, type TestServices } from '../support/services.ts';
import { readTopicUntil, signatureValid, startReceiver, startSmtp, storeDays } from './support.ts';

// The alerter as its own process on the real services: Redis (BullMQ webhook jobs), Kafka (commune-alerts.v1),
// a real SMTP server, and the warehouse shared through the gateway, as it would share a ClickHouse server
// with the estimator.

const SECRET = 'e2e-webhook-secret-0123456789';
const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

let services: TestServices;
let root: string;
const processes: RunningProcess[] = [];

beforeAll(async () => {
  services = await resolveTestServices();
  root = mkdtempSync(join(tmpdir(), 'cp-alerts-e2e-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  for (const running of processes) running.child.kill('SIGKILL');
  await services?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function count(warehouse: Warehouse, sql: string): Promise<number> {
  const rows = await warehouse.query<{ n: number }>(sql);
  return Number(rows[0]?.n ?? 0);
}

describe('the alerter service on the real services', () => {
  it('an overload produces a signed webhook (to a receiver down at first), an e-mail and a topic message', async () => {
    const gatewayPort = await freePort();
    const gateway = await startGateway(join(root, 'warehouse'), gatewayPort);
    processes.push(gateway);
    const clickhouseUrl = gatewayUrl(gatewayPort);
    const warehouse = await openWarehouse({ clickhouseUrl, dataDir: root });
    const smtp = await startSmtp();
    const receiverPort = await freePort(); // nothing listens there yet
    const routingFile = join(root, 'routing.json');
    writeFileSync(
      routingFile,
      JSON.stringify({
        webhooks: [
          {
            id: 'so-noi-vu-ha-noi',
            url: `http://127.0.0.1:${receiverPort}/commune-pulse`,
            secret_env: 'ALERT_WEBHOOK_SECRET_HA_NOI',
            provinces: ['01'],
          },
        ],
        emails: [{ address: 'so-noi-vu@hanoi.gov.vn', name: 'Sở Nội vụ Hà Nội', provinces: ['01'] }],
      }),
    );
    const alerter = startService(join(REPO_ROOT, 'services', 'alerter', 'src', 'main.ts'), {
      CLICKHOUSE_URL: clickhouseUrl,
      REDIS_URL: services.redisUrl,
      KAFKA_BROKERS: services.kafkaBrokers.join(','),
      SMTP_URL: smtp.url,
      ALERT_ROUTING_FILE: routingFile,
      ALERT_WEBHOOK_SECRET_HA_NOI: SECRET,
      BULLMQ_PREFIX: uniqueName('cp-alerts'),
      ALERTER_POLL_SECONDS: '0.5',
      ALERT_RETRY_BASE_MS: '250',
      ALERT_RETRY_MAX_MS: '1000',
      LOG_LEVEL: 'info',
    });
    processes.push(alerter);
    const receiver = { current: undefined as Awaited<ReturnType<typeof startReceiver>> | undefined };
    try {
      await waitFor(() => alerter.output().includes('alerter started'), 60_000, 'the alerter to start');

      // Fifteen days of rolling rows at 1.6 for Phường Ba Đình, ending with a run of yesterday morning.
      const now = Date.now();
      const first = addDays(new Date(now + 7 * 3_600_000).toISOString().slice(0, 10), -22);
      const { runId } = await storeDays(warehouse, first, { '00004': repeat(1.6, 15), '00008': repeat(0.9, 15) }, now);

      // critical_overload e-mails at once; overloaded waits for the 07:00 digest.
      await waitFor(() => smtp.mails.length >= 1, 60_000, 'the critical e-mail');
      await smtp.settled();
      expect(smtp.mails[0]?.subject).toBe(
        '[commune-pulse] Cảnh báo quá tải nghiêm trọng: Phường Ba Đình (00004), Thành phố Hà Nội',
      );
      expect(smtp.mails[0]?.to).toBe('so-noi-vu@hanoi.gov.vn');
      expect(smtp.mails[0]?.text).toContain('pnpm cli explain --commune 00004 --week');

      // The topic outlives test runs: this run's messages are those of its estimation runs.
      const runIds = new Set([runId]);
      const ours = (messages: readonly { value: string }[]) =>
        messages.map((m) => communeAlertMessage.parse(JSON.parse(m.value))).filter((m) => runIds.has(m.run_id));
      const fired = await readTopicUntil(
        services.kafkaBrokers,
        TOPICS.communeAlerts,
        (m) => ours(m).length >= 2,
        60_000,
      );
      expect(
        ours(fired)
          .map((m) => `${m.rule} ${m.state} ${m.commune_code} ${m.silenced}`)
          .sort(),
      ).toEqual(['critical_overload firing 00004 false', 'overloaded firing 00004 false']);
      for (const message of fired.filter((m) => runIds.has(JSON.parse(m.value).run_id))) {
        expect(message.key).toBe(`${JSON.parse(message.value).rule}:00004`);
      }

      // The receiver is down: BullMQ retries the webhook jobs; the attempts are on record.
      const deadline = Date.now() + 30_000;
      while ((await count(warehouse, 'SELECT count() AS n FROM alert_delivery_attempts WHERE ok = 0')) < 4) {
        if (Date.now() > deadline)
          throw new Error(`no failed webhook attempts recorded:\n${alerter.output().slice(-3000)}`);
        await sleep(250);
      }
      receiver.current = await startReceiver({ port: receiverPort });
      const up = receiver.current;
      await waitFor(() => up.received.length >= 2, 60_000, 'the webhooks once the receiver is up');
      await sleep(2_000); // long enough for a duplicate to show up, if there were one
      expect(up.received).toHaveLength(2);
      for (const request of up.received) {
        expect(signatureValid(SECRET, request.body, request.signature)).toBe(true);
        const body = alertWebhookBody.parse(JSON.parse(request.body));
        expect(body.delivery_id).toBe(request.delivery);
        expect(body.state).toBe('firing');
        expect(body.run_id).toBe(runId);
      }
      expect(up.received.map((r) => JSON.parse(r.body).rule).sort()).toEqual(['critical_overload', 'overloaded']);

      // The CLI over the same warehouse: list, acknowledge, silence.
      const env = { CLICKHOUSE_URL: clickhouseUrl };
      const listed = await runCli(['alerts', 'list', '--state', 'firing', '--province', '01', '--json'], env);
      expect(listed.code, listed.output).toBe(0);
      const alerts = JSON.parse(listed.output.trim().split('\n').at(-1) ?? '[]') as {
        alert_id: string;
        rule: string;
      }[];
      expect(alerts.map((alert) => alert.rule).sort()).toEqual(['critical_overload', 'overloaded']);
      const critical = alerts.find((alert) => alert.rule === 'critical_overload');
      const acked = await runCli(['alerts', 'ack', critical?.alert_id.slice(0, 8) ?? ''], env);
      expect(acked.code, acked.output).toBe(0);
      expect(acked.output).toContain(`acknowledged ${critical?.alert_id}`);
      const silenced = await runCli(
        ['alerts', 'silence', '--commune', '00004', '--until', addDays(first, 60), '--reason', 'tăng cường nhân sự'],
        env,
      );
      expect(silenced.code, silenced.output).toBe(0);

      // Silenced, the recovery is still recorded and published, but no webhook or e-mail goes out.
      runIds.add((await storeDays(warehouse, addDays(first, 15), { '00004': [1.0] }, Date.now())).runId);
      const resolved = await readTopicUntil(
        services.kafkaBrokers,
        TOPICS.communeAlerts,
        (m) => ours(m).some((message) => message.state === 'resolved'),
        60_000,
      );
      const resolution = ours(resolved).find((message) => message.state === 'resolved');
      expect(resolution).toMatchObject({ rule: 'critical_overload', commune_code: '00004', silenced: true });
      const silencedDeadline = Date.now() + 30_000;
      while ((await count(warehouse, "SELECT count() AS n FROM alert_outbox FINAL WHERE status = 'silenced'")) < 2) {
        if (Date.now() > silencedDeadline) throw new Error('the silenced deliveries were not recorded');
        await sleep(250);
      }
      expect(up.received).toHaveLength(2);
      expect(smtp.mails).toHaveLength(1);
      const listedAfter = await runCli(['alerts', 'list', '--json'], env);
      const after = JSON.parse(listedAfter.output.trim().split('\n').at(-1) ?? '[]') as {
        rule: string;
        state: string;
        acked_by: string | null;
      }[];
      expect(after.map((alert) => `${alert.rule} ${alert.state} ${alert.acked_by !== null}`).sort()).toEqual([
        'critical_overload resolved true',
        'overloaded firing false',
      ]);

      alerter.child.kill('SIGTERM');
      expect(await alerter.exited, alerter.output().slice(-3000)).toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- alerter output ---\n${alerter.output().slice(-4000)}`);
    } finally {
      alerter.child.kill('SIGKILL');
      await receiver.current?.close();
      await smtp.close();
      await warehouse.close();
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });
});
