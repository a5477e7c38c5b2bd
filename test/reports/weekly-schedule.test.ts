import { createHash, createHmac } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatter, launchChromium, reportQueue, reportStem, WEBHOOK_SIGNATURE_HEADER } from '@commune-pulse/reporter';
import { createLogger } from '@commune-pulse/runtime';
import { openJobLayer } from '@commune-pulse/runtime/jobs';
import { openWarehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startService, stopStartedProcesses, uniqueName, waitFor } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import { attachment, startMailSink } from './mail-sink.ts';
import { distinctColours, pdfPagePng, pdfPages, pdfText, simulateWarehouse } from './support.ts';

// UPDATE_DOCS_PNG=1 copies the first page of the national PDF to docs/, where the README shows it.
const DOCS_PNG = join(REPO_ROOT, 'docs', 'weekly-report-national.png');
const SECRET = 'a-webhook-secret-for-the-test';

let services: Awaited<ReturnType<typeof resolveTestServices>>;
let root: string;
beforeAll(async () => {
  services = await resolveTestServices();
  root = mkdtempSync(join(tmpdir(), 'cp-report-schedule-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  await services.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the Monday report, run by BullMQ from its scheduler over a simulated national week', () => {
  it('writes and records the national and routed editions and announces each to its recipients', async () => {
    const dataDir = join(root, 'warehouse');
    // All 3,321 communes, at a twentieth of their volume to keep the test short, over four weeks.
    const simulated = await simulateWarehouse(dataDir, { scale: 0.05, weeksBefore: 3, seed: 3 });

    const mail = await startMailSink();
    const hooks: { body: string; signature: string | undefined }[] = [];
    const webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        hooks.push({ body, signature: request.headers[WEBHOOK_SIGNATURE_HEADER] as string | undefined });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const hookPort = (webhook.address() as { port: number }).port;
    const routing = join(root, 'routing.json');
    // the alerter's routing format: the national desk for the whole country, Hà Nội's department for 01
    writeFileSync(
      routing,
      JSON.stringify({
        webhooks: [
          {
            id: 'bo-noi-vu',
            url: `http://127.0.0.1:${hookPort}/reports`,
            secret_env: 'REPORT_TEST_SECRET',
            provinces: '*',
          },
        ],
        emails: [
          { address: 'vu-to-chuc@example.org', provinces: '*' },
          { address: 'so-noi-vu-ha-noi@example.org', provinces: ['01'], levels: ['critical'] },
        ],
      }),
    );

    const reportsDir = join(root, 'reports');
    const prefix = uniqueName('cp-test');
    // Fires once a minute, a few seconds from now: one run before the test stops the service.
    const second = (new Date().getUTCSeconds() + 6) % 60;
    const reporter = startService(join(REPO_ROOT, 'services', 'reporter', 'src', 'main.ts'), {
      COMMUNE_PULSE_DATA_DIR: dataDir,
      REDIS_URL: services.redisUrl,
      BULLMQ_PREFIX: prefix,
      REPORT_WEEKLY_CRON: `${second} * * * * *`,
      REPORTS_DIR: reportsDir,
      ALERT_ROUTING_FILE: routing,
      REPORT_TEST_SECRET: SECRET,
      SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      LOG_LEVEL: 'info',
    });
    try {
      await waitFor(
        () => reporter.output().includes('report job done') || reporter.output().includes('report job failed'),
        150_000,
        'a scheduled report run',
      );
    } catch (error) {
      reporter.child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}; the reporter printed:\n${reporter.output().slice(-3000)}`);
    } finally {
      webhook.close();
      await mail.close();
    }
    reporter.child.kill('SIGTERM');
    expect(await reporter.exited, reporter.output().slice(-3000)).toBe(0);
    expect(reporter.output()).not.toContain('report job failed');
    expect(reporter.output()).toContain('report scheduler registered');

    const jobs = openJobLayer({ redisUrl: services.redisUrl, bullmqPrefix: prefix }, createLogger('test', 'warn'));
    const queue = reportQueue(jobs);
    const [scheduler] = await queue.schedulers();
    expect(scheduler).toMatchObject({ id: 'weekly-report-monday-0700', tz: 'Asia/Ho_Chi_Minh' });
    await queue.obliterate();
    await jobs.close();

    // the files of the week that ended, in REPORTS_DIR/<week>/
    const weekDir = join(reportsDir, simulated.week);
    const nationalStem = reportStem(simulated.week, null, 'vi');
    const provinceStem = reportStem(simulated.week, '01', 'vi');
    const files = readdirSync(weekDir);
    for (const stem of [nationalStem, provinceStem]) {
      expect(files).toContain(`${stem}.html`);
      expect(files).toContain(`${stem}.pdf`);
      expect(files.filter((name) => name.startsWith(stem) && name.endsWith('.csv')).length).toBeGreaterThan(10);
    }
    const nationalPdf = join(weekDir, `${nationalStem}.pdf`);
    expect(pdfPages(nationalPdf)).toBeGreaterThan(36);
    const text = pdfText(nationalPdf);
    expect(text).toContain(formatter('vi').week(simulated.week));
    expect(text).toContain('Thành phố Hà Nội');

    const warehouse = await openWarehouse({ dataDir });
    let reports: { report_id: string; province_code: string; pdf_path: string; pdf_sha256: string; trigger: string }[];
    let deliveries: { report_id: string; channel: string; recipient: string; outcome: string }[];
    try {
      reports = await warehouse.query(
        `SELECT report_id, province_code, pdf_path, pdf_sha256, trigger FROM reports
         WHERE week = {week:String} ORDER BY province_code`,
        { week: simulated.week },
      );
      deliveries = await warehouse.query(
        'SELECT report_id, channel, recipient, toString(outcome) AS outcome FROM report_deliveries ORDER BY channel, recipient',
      );
    } finally {
      await warehouse.close();
    }
    expect(reports.map((row) => [row.province_code, row.trigger])).toEqual([
      ['', 'schedule:weekly-report-monday-0700'],
      ['01', 'schedule:weekly-report-monday-0700'],
    ]);
    const [nationalRow, hanoiRow] = reports;
    for (const row of reports) {
      expect(createHash('sha256').update(readFileSync(row.pdf_path)).digest('hex')).toBe(row.pdf_sha256);
    }

    // each edition went to its own recipients, the PDF attached as generated
    expect(mail.mails.map((m) => m.to)).toEqual(
      expect.arrayContaining([['vu-to-chuc@example.org'], ['so-noi-vu-ha-noi@example.org']]),
    );
    expect(mail.mails).toHaveLength(2);
    for (const [address, row] of [
      ['vu-to-chuc@example.org', nationalRow],
      ['so-noi-vu-ha-noi@example.org', hanoiRow],
    ] as const) {
      const message = mail.mails.find((m) => m.to.includes(address));
      const pdf = attachment(message?.raw ?? '', 'application/pdf');
      expect(pdf?.filename).toBe(row?.pdf_path.split('/').pop());
      expect(
        createHash('sha256')
          .update(pdf?.bytes ?? Buffer.alloc(0))
          .digest('hex'),
      ).toBe(row?.pdf_sha256);
    }
    expect(hooks).toHaveLength(1);
    const hook = hooks[0] as { body: string; signature: string };
    expect(hook.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(hook.body).digest('hex')}`);
    const payload = JSON.parse(hook.body) as {
      report_id: string;
      week: string;
      files: { kind: string; path: string; sha256: string }[];
    };
    expect(payload).toMatchObject({ report_id: nationalRow?.report_id, week: simulated.week });
    expect(payload.files.find((file) => file.kind === 'pdf')).toMatchObject({
      path: nationalRow?.pdf_path,
      sha256: nationalRow?.pdf_sha256,
    });
    expect(payload.files.filter((file) => file.kind === 'csv').every((file) => existsSync(file.path))).toBe(true);
    expect(deliveries.map((row) => [row.channel, row.recipient, row.outcome])).toEqual([
      ['email', 'so-noi-vu-ha-noi@example.org', 'sent'],
      ['email', 'vu-to-chuc@example.org', 'sent'],
      ['webhook', 'bo-noi-vu', 'sent'],
    ]);

    // the first page, as a picture: not blank, and what the README shows when asked to refresh it
    const png = pdfPagePng(nationalPdf, 1, join(root, 'page-1'));
    expect(statSync(png).size).toBeGreaterThan(20_000);
    const browser = await launchChromium();
    try {
      expect(await distinctColours(browser, readFileSync(png))).toBeGreaterThan(50);
    } finally {
      await browser.close();
    }
    if (process.env.UPDATE_DOCS_PNG === '1') {
      mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
      copyFileSync(png, DOCS_PNG);
    }
  }, 480_000);
});
