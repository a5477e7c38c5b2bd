import { closeSync, fstatSync, openSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The config module alone: the gateway starts fast, and nothing it loads before the engine opens files.
import { loadConfig, processEnvironment, type RuntimeConfig } from '@commune-pulse/runtime/config';
import { type GatewayUser, usersFromEnvironment } from './access.ts';

const USAGE = `Usage: node services/warehouse-gateway/src/main.ts --data-dir <dir> [--port 8123] [--host 127.0.0.1]
       [--max-body-bytes 536870912] [--max-concurrent-queries N] [--allow-host <name>]… [--allow-origin <origin>]…

Serves the ClickHouse HTTP interface (the subset @clickhouse/client uses) over an embedded chdb engine, so that
several processes can share the warehouse in <dir> through http://<role>:<token>@<host>:<port>.

Every request needs a role's token, from the environment: WAREHOUSE_GATEWAY_TOKEN_INGEST, _ESTIMATOR, _ALERTER,
_REPORTER, _ADMIN (these may write), _API (reads, and the API's access log), _DATA_TEAM (read-only SQL within
SQL_MAX_EXECUTION_SECONDS, SQL_MAX_MEMORY_BYTES, SQL_MAX_RESULT_ROWS). Set at least one, 24+ characters each.
Requests from web pages (an Origin header) and for Host names other than loopback ones are refused unless
allowed with --allow-origin / --allow-host; a --host other than loopback must be named by --allow-host.`;

interface GatewayArguments {
  dataDir: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  host: string;
  port: number;
  maxBodyBytes: number | undefined;
  maxConcurrentQueries: number | undefined;
}

class UsageError extends Error {}

function integerOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function parseArguments(argv: string[]): GatewayArguments | 'help' {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values['data-dir'] === undefined || values['data-dir'] === '') {
    throw new UsageError('--data-dir is required: the folder the warehouse keeps its tables in');
  }
  if (values.host === '') throw new UsageError('--host must not be empty');
  return {
    dataDir: values['data-dir'],
    allowedHosts: values['allow-host'] ?? [],
    allowedOrigins: values['allow-origin'] ?? [],
    host: values.host ?? '127.0.0.1',
    port: integerOption('port', values.port, 0, 65535) ?? 8123,
    maxBodyBytes: integerOption('max-body-bytes', values['max-body-bytes'], 1, Number.MAX_SAFE_INTEGER),
    maxConcurrentQueries: integerOption('max-concurrent-queries', values['max-concurrent-queries'], 1, 1024),
  };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-concurrent-queries': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Points file descriptor 0 at /dev/null unless it is a terminal or already a device. The engine reads standard
 * input during an insert when input is waiting there (chdb-core #239): rows piped to the gateway, or a file
 * given as its input, would be added to some client's insert, or make it fail. Must run before the engine
 * loads, while nothing else opens files, since the lowest free descriptor is what becomes 0.
 */
function detachStandardInput(): void {
  let isDevice = false;
  try {
    isDevice = fstatSync(0).isCharacterDevice();
    if (!isDevice) closeSync(0);
  } catch {
    // Descriptor 0 is closed: the engine's next file would land on it and be read as input.
  }
  if (isDevice) return;
  const fd = openSync('/dev/null', 'r');
  if (fd !== 0) {
    closeSync(fd);
    throw new Error('could not point standard input at /dev/null; start the gateway with </dev/null');
  }
}

async function main(): Promise<void> {
  let args: GatewayArguments | 'help';
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`warehouse-gateway: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let access: { users: GatewayUser[]; queryLimits: RuntimeConfig['queryLimits'] };
  try {
    access = {
      users: usersFromEnvironment(processEnvironment()),
      queryLimits: loadConfig(processEnvironment()).queryLimits,
    };
    if (access.users.length === 0) throw new Error('no token is set: set WAREHOUSE_GATEWAY_TOKEN_<ROLE> (see --help)');
  } catch (error) {
    process.stderr.write(`warehouse-gateway: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  detachStandardInput();
  // Loaded only now: the engine must not see the original standard input.
  const { startWarehouseGateway } = await import('./gateway.ts');
  let gateway: Awaited<ReturnType<typeof startWarehouseGateway>>;
  try {
    gateway = await startWarehouseGateway({ ...args, ...access });
  } catch (error) {
    process.stderr.write(`warehouse-gateway: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`warehouse-gateway listening on ${gateway.url} (data folder ${args.dataDir})\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`warehouse-gateway: ${signal} again; still waiting for running queries to finish\n`);
      return;
    }
    stopping = true;
    process.stdout.write(`warehouse-gateway: ${signal}, stopping: no new requests, waiting for running queries\n`);
    // Never exit from here: exiting while the engine runs a query crashes the process. The handlers stay
    // installed so that a second signal cannot kill it either; the event loop empties once the engine is closed.
    gateway.close().then(
      () => {
        process.stdout.write('warehouse-gateway: stopped\n');
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      },
      (error: unknown) => {
        process.stderr.write(`warehouse-gateway: stopping failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
