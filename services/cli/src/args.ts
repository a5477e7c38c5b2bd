import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, loadConfig, processEnvironment, type RuntimeConfig } from '@commune-pulse/runtime';

/** A bad command line: printed with the command's usage, never with a stack trace. */
export class UsageError extends ConfigError {
  override name = 'UsageError';
  readonly usage: string;
  constructor(message: string, usage: string) {
    super(message);
    this.usage = usage;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseCommand<O extends Options>(argv: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

/** The environment, with --data-dir taking precedence over COMMUNE_PULSE_DATA_DIR. */
export function configFrom(values: { 'data-dir'?: string | boolean | undefined }): RuntimeConfig {
  return loadConfig(environmentFrom(values));
}

/** The environment for a service's own loader, with --data-dir in place of COMMUNE_PULSE_DATA_DIR. */
export function environmentFrom(values: {
  'data-dir'?: string | boolean | undefined;
}): Record<string, string | undefined> {
  const dataDir = values['data-dir'];
  return processEnvironment(typeof dataDir === 'string' ? { COMMUNE_PULSE_DATA_DIR: dataDir } : {});
}

export function positiveNumber(value: string | undefined, flag: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${flag} takes a positive number, got ${JSON.stringify(value)}`, usage);
  }
  return number;
}
