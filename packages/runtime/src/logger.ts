import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured logs on stderr, so that stdout stays for a command's results. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { service: name } }, pino.destination(2));
}
