import { ConfigError } from './config.ts';
import { createLogger } from './logger.ts';

/**
 * The body of a service's main.ts: starts it and waits until it finished. A configuration problem prints a
 * message saying what to fix (exit 2), anything else is logged (exit 1); the process is never exited while
 * work may still run.
 */
export async function runServiceProcess(name: string, start: () => Promise<{ finished: Promise<unknown> }>) {
  try {
    const service = await start();
    await service.finished;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 2;
    } else {
      createLogger(name).error({ err: error }, `${name} failed`);
      process.exitCode = 1;
    }
  }
}
