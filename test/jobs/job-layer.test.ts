import { JOB_QUEUES, type WebhookJobData, webhookJobSchema } from '@commune-pulse/contracts';
import { createLogger, createMetricsRegistry } from '@commune-pulse/runtime';
import {
  createJobMetrics,
  type JobContext,
  type JobDefaults,
  type JobLayer,
  openJobLayer,
  startScheduledJobs,
} from '@commune-pulse/runtime/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';

// The job layer against the shared Redis, each test under its own key prefix.
let redisUrl: string;
const logger = createLogger('job-layer-test', 'silent');
const layers: JobLayer[] = [];
beforeAll(async () => {
  redisUrl = (await resolveTestServices()).redisUrl;
});
afterAll(async () => {
  for (const layer of layers) await layer.close();
});

const DEFAULTS: JobDefaults = {
  attempts: 1,
  backoff: { type: 'exponential', delayMs: 10 },
  keepCompleted: { count: 10 },
  keepFailed: { count: 10 },
};
// a queue of the registry's payload shape under a name of its own
const counting = { name: 'test-counting', payload: webhookJobSchema };
type Data = WebhookJobData;

function layer(prefix: string, metrics?: ReturnType<typeof createJobMetrics>) {
  const opened = openJobLayer({ redisUrl, bullmqPrefix: prefix }, logger, metrics);
  layers.push(opened);
  return opened;
}

async function metricValue(
  registry: ReturnType<typeof createMetricsRegistry>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const value = metric?.values.find((entry) =>
    Object.entries(labels).every(([key, label]) => entry.labels[key] === label),
  );
  return value?.value ?? 0;
}

describe('the job layer', () => {
  it('refuses a payload the registry does not accept, before it reaches Redis', async () => {
    const jobs = layer(uniqueName('cp-jobs'));
    const queue = jobs.queue(JOB_QUEUES.alertWebhooks, DEFAULTS);
    await expect(queue.add('webhook', { deliveryId: '' })).rejects.toThrow(
      /bad payload for queue commune-pulse-alert-webhooks: deliveryId/,
    );
    await expect(queue.add('webhook', { deliveryId: 7 } as never)).rejects.toThrow(/deliveryId/);
    await queue.obliterate();
  });

  it('runs a job in a worker, returns its result to the caller and counts it', async () => {
    const registry = createMetricsRegistry('test');
    const jobs = layer(uniqueName('cp-jobs'), createJobMetrics(registry));
    const queue = jobs.queue<Data, string>(counting, DEFAULTS);
    const seen: JobContext[] = [];
    jobs.work<Data, string>(
      counting,
      async ({ deliveryId }, job) => {
        seen.push(job);
        return `${deliveryId}!`;
      },
      { concurrency: 1, label: 'counting' },
    );
    const job = await queue.add('double', { deliveryId: 'd-21' });
    expect(await job.finished(20_000)).toBe('d-21!');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: job.id, name: 'double', attemptsMade: 0 });
    expect(
      await metricValue(registry, 'commune_pulse_jobs_total', { queue: 'test-counting', outcome: 'completed' }),
    ).toBe(1);
    await queue.obliterate();
  });

  it('retries a failing job with the worker’s delays, then gives up and says so to the caller', async () => {
    const registry = createMetricsRegistry('test');
    const jobs = layer(uniqueName('cp-jobs'), createJobMetrics(registry));
    const queue = jobs.queue<Data, string>(counting, {
      ...DEFAULTS,
      attempts: 3,
      backoff: { type: 'custom', delayMs: 10 },
    });
    const delaysAsked: number[] = [];
    let runs = 0;
    jobs.work<Data, string>(
      counting,
      async () => {
        runs += 1;
        throw new Error('receiver down');
      },
      {
        concurrency: 1,
        label: 'counting',
        logEachJob: false,
        retryDelayMs: (attemptsMade) => {
          delaysAsked.push(attemptsMade);
          return 20 * attemptsMade;
        },
      },
    );
    const job = await queue.add('fail', { deliveryId: 'd-1' });
    await expect(job.finished(20_000)).rejects.toThrow(/receiver down/);
    expect(runs).toBe(3);
    expect(delaysAsked).toEqual([1, 2]);
    expect(await metricValue(registry, 'commune_pulse_jobs_total', { queue: 'test-counting', outcome: 'failed' })).toBe(
      3,
    );
    await queue.obliterate();
  });

  it('checks the payload again in the worker: a job no version can read fails at once, without retries', async () => {
    const prefix = uniqueName('cp-jobs');
    const jobs = layer(prefix);
    // An older producer's schema accepted what this worker's schema does not.
    const queue = jobs.queue<Data, string>(counting, { ...DEFAULTS, attempts: 5 });
    const strict = {
      name: counting.name,
      payload: webhookJobSchema.refine((data) => data.deliveryId.startsWith('ok-'), 'must start with ok-'),
    };
    let runs = 0;
    jobs.work<Data, string>(
      strict,
      async ({ deliveryId }) => {
        runs += 1;
        return deliveryId;
      },
      { concurrency: 1, label: 'strict' },
    );
    const job = await queue.add('old', { deliveryId: 'd-9' });
    await expect(job.finished(20_000)).rejects.toThrow(
      /bad payload for queue test-counting: \(payload\): must start with ok-/,
    );
    expect(runs).toBe(0);
    await queue.obliterate();
  });

  it('keeps exactly the schedules of the list: upserts them and removes the stale ones', async () => {
    const jobs = layer(uniqueName('cp-jobs'));
    const queue = jobs.queue<Data, string>(counting, DEFAULTS);
    await queue.syncSchedules(
      [
        { id: 'old', pattern: '0 6 * * 1', data: { deliveryId: 'a' } },
        { id: 'kept', pattern: '0 7 * * 1', data: { deliveryId: 'b' } },
      ],
      'counting',
    );
    expect((await queue.schedulers()).map((scheduler) => scheduler.id).sort()).toEqual(['kept', 'old']);
    await queue.syncSchedules([{ id: 'kept', pattern: '30 7 * * 1', data: { deliveryId: 'b' } }], 'counting');
    expect(await queue.schedulers()).toEqual([{ id: 'kept', pattern: '30 7 * * 1', tz: 'Asia/Ho_Chi_Minh' }]);
    await expect(
      queue.syncSchedules([{ id: 'bad', pattern: '0 7 * * 1', data: { deliveryId: '' } }], 'counting'),
    ).rejects.toThrow(/bad payload/);
    await queue.obliterate();
  });
});

describe('scheduled jobs', () => {
  for (const mode of ['queue', 'in-process'] as const) {
    it(`fires the schedule with the time it was due (${mode}), and stops`, async () => {
      const prefix = uniqueName('cp-jobs');
      const registry = createMetricsRegistry('test');
      const due: number[] = [];
      const scheduled = await startScheduledJobs<Data, string>({
        config: { redisUrl: mode === 'queue' ? redisUrl : undefined, bullmqPrefix: prefix },
        logger,
        metrics: createJobMetrics(registry),
        queue: counting,
        defaults: DEFAULTS,
        schedules: [{ id: 'every-second', pattern: '* * * * * *', data: { deliveryId: 'tick' } }],
        handle: async ({ deliveryId }, job) => {
          due.push(job.dueMs);
          return deliveryId;
        },
        worker: { concurrency: 1, label: 'counting' },
      });
      expect(scheduled.mode).toBe(mode);
      await waitFor(() => due.length >= 2, 15_000, 'two runs of the schedule');
      await scheduled.stop();
      const after = due.length;
      for (const dueMs of due) expect(dueMs % 1_000).toBe(0);
      expect(due[1]).toBeGreaterThan(due[0] as number);
      expect(
        await metricValue(registry, 'commune_pulse_jobs_total', { queue: 'test-counting', outcome: 'completed' }),
      ).toBe(after);
      if (mode === 'queue') {
        const jobs = layer(prefix);
        await jobs.queue(counting).obliterate();
      }
    });
  }

  it('refuses a schedule whose payload the registry does not accept', async () => {
    await expect(
      startScheduledJobs<Data, string>({
        config: { redisUrl: undefined, bullmqPrefix: 'unused' },
        logger,
        queue: counting,
        defaults: DEFAULTS,
        schedules: [{ id: 'bad', pattern: '* * * * *', data: { deliveryId: '' } }],
        handle: async ({ deliveryId }) => deliveryId,
        worker: { concurrency: 1, label: 'counting' },
      }),
    ).rejects.toThrow(/bad payload for queue test-counting/);
  });
});
