import { createLogger } from '@commune-pulse/runtime';
import { describe, expect, it } from 'vitest';
import type { BatchConsumer } from './batch-consumer.ts';
import { runConsumerService, type ServiceStop } from './consumer-service.ts';

const logger = createLogger('test', 'silent');

/** A consumer whose idle time and start the test sets; it records the calls the runner makes. */
function fakeConsumer(options: { startError?: Error; fetched?: number } = {}) {
  const calls: string[] = [];
  let idle = 0;
  const consumer: BatchConsumer = {
    async start() {
      calls.push('start');
      if (options.startError) throw options.startError;
    },
    async stop() {
      calls.push('stop');
    },
    idleMs: () => idle,
    messagesFetched: () => options.fetched ?? 0,
    healthy: () => true,
  };
  return { consumer, calls, setIdleMs: (ms: number) => (idle = ms) };
}

describe('runConsumerService', () => {
  it('stops an idle consumer, then cleans up, and resolves with why', async () => {
    const fake = fakeConsumer({ fetched: 3 });
    const stops: ServiceStop[] = [];
    const running = runConsumerService({
      consumer: fake.consumer,
      topic: 't',
      logger,
      exitWhenIdleSeconds: 1,
      onStarted: () => {
        fake.calls.push('started');
        fake.setIdleMs(1_500);
      },
      onStopping: () => fake.calls.push('stopping'),
      afterStop: async (stop) => {
        fake.calls.push('afterStop');
        stops.push(stop);
      },
    });
    await expect(running).resolves.toEqual({ reason: 'no message for 1 s', cause: 'idle' });
    expect(fake.calls).toEqual(['start', 'started', 'stopping', 'stop', 'afterStop']);
    expect(stops).toHaveLength(1);
  });

  it('says when the topic had nothing to read', async () => {
    const fake = fakeConsumer();
    fake.setIdleMs(2_000);
    const stop = await runConsumerService({
      consumer: fake.consumer,
      topic: 'empty-topic',
      logger,
      exitWhenIdleSeconds: 1,
      afterStop: async () => {},
    });
    expect(stop.reason).toMatch(/^nothing to read on empty-topic for 1 s/);
  });

  it('cleans up after a start that failed, and rejects with its error', async () => {
    const fake = fakeConsumer({ startError: new Error('no broker') });
    const stops: ServiceStop[] = [];
    await expect(
      runConsumerService({
        consumer: fake.consumer,
        topic: 't',
        logger,
        afterStop: async (stop) => {
          stops.push(stop);
        },
      }),
    ).rejects.toThrow('no broker');
    expect(fake.calls).toEqual(['start', 'stop']);
    expect(stops).toEqual([{ reason: 'the consumer did not start', cause: 'start-failed' }]);
  });

  it('rejects when cleaning up fails, after the consumer stopped', async () => {
    const fake = fakeConsumer({ fetched: 1 });
    fake.setIdleMs(5_000);
    await expect(
      runConsumerService({
        consumer: fake.consumer,
        topic: 't',
        logger,
        exitWhenIdleSeconds: 1,
        afterStop: async () => {
          throw new Error('warehouse gone');
        },
      }),
    ).rejects.toThrow('warehouse gone');
    expect(fake.calls).toEqual(['start', 'stop']);
  });

  it('never stops by itself without exitWhenIdleSeconds, and leaves no signal handler behind', async () => {
    const before = process.listenerCount('SIGTERM');
    const fake = fakeConsumer({ fetched: 1 });
    fake.setIdleMs(60_000);
    let stopped = false;
    const running = runConsumerService({
      consumer: fake.consumer,
      topic: 't',
      logger,
      afterStop: async () => {
        stopped = true;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stopped).toBe(false);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(running).resolves.toEqual({ reason: 'SIGTERM', cause: 'signal' });
    expect(stopped).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
