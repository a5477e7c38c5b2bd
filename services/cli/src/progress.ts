import { SingleBar } from 'cli-progress';

export interface Progress {
  /** `total` undefined: the amount of work is not known in advance (a Kafka topic being consumed) */
  update(done: number, total?: number): void;
  stop(): void;
}

/** How often a progress line is printed when the output is not a terminal. */
const LINE_EVERY_MS = 5_000;

/**
 * One progress line: phase, amount done, rate and, when the total is known, the share and an estimate of the time
 * left. Pure, for the line printer and its test.
 */
export function progressLine(
  label: string,
  unit: string,
  state: { done: number; total?: number | undefined; elapsedMs: number },
): string {
  const { done, total, elapsedMs } = state;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const amount =
    total === undefined
      ? `${done.toLocaleString('en')} ${unit}`
      : `${total > 0 ? Math.floor((100 * done) / total) : 100}% (${done.toLocaleString('en')} of ${total.toLocaleString('en')} ${unit})`;
  const eta =
    total === undefined || rate <= 0 || done >= total ? '' : `, about ${formatSeconds((total - done) / rate)} left`;
  return `[${label}] ${amount}, ${Math.round(rate).toLocaleString('en')} ${unit}/s, ${formatSeconds(seconds)} so far${eta}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * Progress of one phase on stderr: a bar when stderr is a terminal, otherwise a line every few seconds and one
 * when the phase ends (logs, CI, pipes), so that a long step never sits silent.
 */
export function progressBar(label: string, unit: string): Progress {
  return process.stderr.isTTY ? terminalBar(label, unit) : progressLines(label, unit, (line) => console.error(line));
}

/** The line printer behind progressBar when the output is not a terminal. */
export function progressLines(
  label: string,
  unit: string,
  print: (line: string) => void,
  now: () => number = Date.now,
): Progress {
  const started = now();
  let lastPrinted = started;
  let last: { done: number; total?: number | undefined } | null = null;
  return {
    update(done, total) {
      last = { done, total };
      const at = now();
      if (at - lastPrinted < LINE_EVERY_MS) return;
      lastPrinted = at;
      print(progressLine(label, unit, { done, total, elapsedMs: at - started }));
    },
    stop() {
      if (last === null) return;
      print(`${progressLine(label, unit, { ...last, elapsedMs: now() - started })}: done`);
      last = null;
    },
  };
}

function terminalBar(label: string, unit: string): Progress {
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted} | eta {eta_formatted}`,
    hideCursor: true,
  });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total ?? 0, 0);
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
