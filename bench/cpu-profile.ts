/**
 * Where the time goes: a V8 .cpuprofile (`node --cpu-prof`) summarised as self time by category (GC, our
 * packages, validation, kafkajs, chdb's binding, ...) and the top functions, over the window in which chosen
 * functions were on the stack (the import or the chunks, not start-up). `--cpu-prof` samples the main thread
 * only: the embedded engine's threads show as the main thread's idle time.
 *
 *   node --cpu-prof --cpu-prof-dir=.cache/prof services/cli/src/main.ts ingest --file <events.ndjson> --json
 *   pnpm bench:profile .cache/prof/<file>.cpuprofile [--during storeChunk] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

type ProfileNode = CpuProfile['nodes'][number];

export const IDLE = 'idle (main thread waiting: engine threads, I/O)';

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/.*\/(packages|services|bench)\//, '$1/');
}

/** The part of the system a sampled frame belongs to. */
export function categoryOf(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return IDLE;
  if (functionName === '(program)' || functionName === '(root)') return 'V8 (program)';
  if (/node_modules\/.*chdb/.test(url)) return 'chdb binding';
  if (/kafkajs/.test(url)) return 'kafkajs';
  if (/\/zod\//.test(url)) return 'zod';
  if (/pino|thread-stream|sonic-boom/.test(url)) return 'logging (pino)';
  if (/node_modules/.test(url)) return `dependency ${shortUrl(url).split('/')[0]}`;
  if (url.startsWith('node:')) return 'node core';
  const ours = /\/(packages|services|bench)\/([^/]+)\//.exec(url);
  if (ours) return `our code: ${ours[1]}/${ours[2]}`;
  return 'V8 builtins / native';
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  byCategory: { category: string; ms: number }[];
  topFunctions: { name: string; ms: number }[];
}

/**
 * Self time per category and per function. With `during`, only the samples between the first and the last one
 * with any of those functions on the stack count.
 */
export function summarizeProfile(profile: CpuProfile, options: { during?: string[]; top?: number } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const onStack = (id: number, names: readonly string[]) => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      if (names.includes(nodes.get(at)?.callFrame.functionName ?? '')) return true;
    }
    return false;
  };
  // sample i lasts until sample i + 1
  const times: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) {
    clock += delta;
    times.push(clock);
  }
  let first = 0;
  let last = profile.samples.length - 1;
  if (options.during && options.during.length > 0) {
    const inside = profile.samples.map((id) => onStack(id, options.during as string[]));
    first = inside.indexOf(true);
    last = inside.lastIndexOf(true);
  }
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let windowUs = 0;
  for (let i = Math.max(first, 0); first >= 0 && i <= last; i++) {
    const node = nodes.get(profile.samples[i] as number);
    if (!node) continue;
    const us = (times[i + 1] ?? times[i] ?? 0) - (times[i] ?? 0);
    windowUs += us;
    const category = categoryOf(node.callFrame);
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    if (category === IDLE) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    windowMs: windowUs / 1000,
    busyMs: (windowUs - (byCategory.get(IDLE) ?? 0)) / 1000,
    byCategory: sorted(byCategory).map(([category, us]) => ({ category, ms: us / 1000 })),
    topFunctions: sorted(byFunction)
      .slice(0, options.top ?? 25)
      .map(([name, us]) => ({ name, ms: us / 1000 })),
  } satisfies ProfileSummary;
}

function printSummary(summary: ProfileSummary): void {
  const percent = (ms: number, of: number) => `${((100 * ms) / of).toFixed(1).padStart(5)} %`;
  const ms = (value: number) => `${value.toFixed(0).padStart(7)} ms`;
  console.log(
    `window ${(summary.windowMs / 1000).toFixed(2)} s, main thread busy ${(summary.busyMs / 1000).toFixed(2)} s`,
  );
  console.log('\nself time by category (% of the busy time)');
  for (const { category, ms: time } of summary.byCategory) {
    console.log(`${ms(time)}  ${category === IDLE ? '    —  ' : percent(time, summary.busyMs)}  ${category}`);
  }
  console.log('\ntop functions by self time (% of the busy time)');
  for (const { name, ms: time } of summary.topFunctions)
    console.log(`${ms(time)}  ${percent(time, summary.busyMs)}  ${name}`);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { during: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  const [file] = positionals;
  const top = Number(values.top);
  if (!file || !Number.isInteger(top) || top <= 0) {
    console.error('usage: pnpm bench:profile <file.cpuprofile> [--during fn1,fn2] [--top N]');
    process.exit(2);
  }
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch (error) {
    console.error(`cannot read ${file} as a .cpuprofile (node --cpu-prof writes one): ${(error as Error).message}`);
    process.exit(2);
  }
  printSummary(summarizeProfile(profile, { ...(values.during ? { during: values.during.split(',') } : {}), top }));
}
