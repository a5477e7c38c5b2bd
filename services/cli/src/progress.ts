import { SingleBar } from 'cli-progress';

/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests). */
export function progressBar(label: string, unit: string) {
  if (!process.stderr.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
    hideCursor: true,
  });
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
