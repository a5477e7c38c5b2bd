// Generation speed and memory without I/O:
//   node packages/simulator/scripts/bench.ts [all|<communes>] [days] [startDay]
import { communes } from '@commune-pulse/reference-data';
import { simulateEvents } from '../src/index.ts';

const [communeArg = 'all', daysArg = '7', startDay = '2026-03-02'] = process.argv.slice(2);
const all = communes().map((c) => c.code);
const communeCodes = communeArg === 'all' ? all : all.slice(0, Number(communeArg));
let peakHeap = 0;
const started = performance.now();
const stream = simulateEvents({
  seed: 1,
  communeCodes,
  startDay,
  days: Number(daysArg),
  onProgress: () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  },
});
let bytes = 0;
let result = stream.next();
while (result.done !== true) {
  bytes += result.value.length + 1;
  result = stream.next();
}
const seconds = (performance.now() - started) / 1000;
const summary = result.value;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
console.log(
  `${summary.events} events, ${summary.dossiers} dossiers, ${summary.communes} communes, ${summary.days} days in ` +
    `${seconds.toFixed(1)} s: ${Math.round(summary.events / seconds)} events/s, ${mib(bytes)} of NDJSON; ` +
    `peak heap at day ends ${mib(peakHeap)}, rss ${mib(process.memoryUsage().rss)}`,
);
