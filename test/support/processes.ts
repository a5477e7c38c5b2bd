import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts');
// As in the root package.json's cli script.
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];

const started = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

/** Kills every process a test started that is still running: a failed test must not leave workers behind. */
export async function stopStartedProcesses(): Promise<void> {
  const exits = [...started].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(exits);
}

export interface RunningProcess {
  child: ChildProcess;
  /** resolves with the exit code (or the signal name) once the process ended */
  exited: Promise<number | string>;
  output(): string;
}

/** A Node script as its own process (stdin closed, as services run), stopped with the test if still running. */
function startNode(args: string[], env: Record<string, string | undefined>): RunningProcess {
  const child = track(
    spawn(process.execPath, [...NODE_FLAGS, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, exited, output: () => output };
}

/** Runs `pnpm cli …` as its own process, collecting its output. */
export function startCli(args: string[], env: Record<string, string | undefined>): RunningProcess {
  return startNode([CLI, ...args], { LOG_LEVEL: 'warn', ...env });
}

export async function runCli(args: string[], env: Record<string, string | undefined>) {
  const running = startCli(args, env);
  const code = await running.exited;
  return { code, output: running.output() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const GATEWAY = join(REPO_ROOT, 'services', 'warehouse-gateway', 'src', 'main.ts');

/** A free TCP port on 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const GATEWAY_ROLES = ['ingest', 'estimator', 'alerter', 'reporter', 'admin', 'api', 'data_team'] as const;
/** One token per gateway role for this test process. */
export const GATEWAY_TOKENS = Object.fromEntries(
  GATEWAY_ROLES.map((role) => [role, `${role}-${randomBytes(16).toString('hex')}`]),
) as Record<(typeof GATEWAY_ROLES)[number], string>;

/** The URL a service uses to reach a test gateway as one of its roles (default: the operator's). */
export function gatewayUrl(port: number, role: keyof typeof GATEWAY_TOKENS = 'admin'): string {
  return `http://${role}:${GATEWAY_TOKENS[role]}@127.0.0.1:${port}`;
}

/** The warehouse gateway (ClickHouse HTTP over the embedded engine) as its own process, ready to serve. */
export async function startGateway(dataDir: string, port: number): Promise<RunningProcess> {
  const tokens = Object.fromEntries(
    Object.entries(GATEWAY_TOKENS).map(([role, token]) => [`WAREHOUSE_GATEWAY_TOKEN_${role.toUpperCase()}`, token]),
  );
  const gateway = startNode([GATEWAY, '--data-dir', dataDir, '--port', String(port)], tokens);
  await waitFor(() => gateway.output().includes('listening on'), 30_000, 'the warehouse gateway');
  return gateway;
}

/** A service entry point (services/<name>/src/main.ts) as its own process, configured by the environment. */
export function startService(entry: string, env: Record<string, string | undefined>): RunningProcess {
  return startNode([entry], env);
}
