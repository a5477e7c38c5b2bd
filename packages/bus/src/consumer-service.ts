import { type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { type BatchConsumer, idleStopReason } from './batch-consumer.ts';

/** Why a consumer service stopped: idle (`--exit-when-idle`), a signal, or a start that failed. */
export interface ServiceStop {
  reason: string;
  cause: 'idle' | 'signal' | 'start-failed';
}

export interface ConsumerServiceOptions {
  consumer: BatchConsumer;
  topic: string;
  logger: Logger;
  /** stop once no message came for this long (see idleStopReason); never when undefined */
  exitWhenIdleSeconds?: number | undefined;
  /** how long a SIGTERM/SIGINT may take to finish the chunk in hand and clean up */
  shutdownDeadlineMs?: number;
  /** Runs once the consumer left its group: close what the service opened (dead letters, warehouse, …). */
  afterStop: (stop: ServiceStop) => Promise<void>;
  /** as soon as a stop begins, before the chunk in hand is finished (timers of the service) */
  onStopping?: () => void;
  /** once the consumer has started (a log line) */
  onStarted?: () => void;
}

/**
 * Runs a batch consumer as a service until it is idle for `exitWhenIdleSeconds` or a shutdown signal comes:
 * then the chunk in hand is finished and committed, the member leaves its group, and `afterStop` cleans up.
 * Resolves once all that is done; a start that fails cleans up the same way and rejects.
 */
export async function runConsumerService(options: ConsumerServiceOptions): Promise<ServiceStop> {
  const { consumer, logger } = options;
  let finish: (stop: ServiceStop) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<ServiceStop>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // awaited only after a successful start: a failed one throws its own error instead
  finished.catch(() => {});
  let stopped = false;
  const stop = async (how: ServiceStop) => {
    if (stopped) return;
    stopped = true;
    logger.info({ reason: how.reason }, 'stopping the consumer');
    clearInterval(idleTimer);
    options.onStopping?.();
    let failure: { error: unknown } | null = null;
    try {
      await consumer.stop();
    } catch (error) {
      failure = { error };
    }
    try {
      await options.afterStop(how);
    } catch (error) {
      failure ??= { error };
    }
    if (failure === null) finish(how);
    else {
      fail(failure.error);
      throw failure.error;
    }
  };
  const removeSignalHandlers = onShutdownSignal((signal) => stop({ reason: signal, cause: 'signal' }), {
    deadlineMs: options.shutdownDeadlineMs ?? 25_000,
    logger,
  });
  const idleTimer = setInterval(() => {
    const reason = idleStopReason(consumer, options.topic, options.exitWhenIdleSeconds);
    if (reason !== null) void stop({ reason, cause: 'idle' }).catch(() => {});
  }, 250);
  try {
    try {
      await consumer.start();
    } catch (error) {
      await stop({ reason: 'the consumer did not start', cause: 'start-failed' }).catch(() => {});
      throw error;
    }
    options.onStarted?.();
    return await finished;
  } finally {
    removeSignalHandlers();
  }
}
