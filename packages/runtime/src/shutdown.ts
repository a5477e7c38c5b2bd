import type { Logger } from './logger.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT, bounded by a deadline. The process exits only after `stop` resolved
 * (the embedded engine crashes if the process exits under a running query); past the deadline it exits 1.
 */
export function onShutdownSignal(
  stop: (signal: string) => Promise<void>,
  options: { deadlineMs: number; logger: Logger },
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal, deadlineMs: options.deadlineMs }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error({ deadlineMs: options.deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, options.deadlineMs);
    timer.unref();
    stop(signal).then(
      () => {
        clearTimeout(timer);
        process.exitCode ??= 0;
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
