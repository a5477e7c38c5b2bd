import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'services', 'cli', 'src', 'main.ts');
// As in the root package.json's cli script.
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];

export interface RunningProcess {
  child: ChildProcess;
  /** resolves with the exit code (or the signal name) once the process ended */
  exited: Promise<number | string>;
  output(): string;
}

/** Runs `pnpm cli …` as its own process (stdin closed, as services run), collecting its output. */
export function startCli(args: string[], env: Record<string, string | undefined>): RunningProcess {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, exited, output: () => output };
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
