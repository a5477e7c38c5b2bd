/** Peak memory of this process, sampled while work runs: what benchmarks and summaries report. */
export function startMemorySampler(intervalMs = 100) {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peaks() {
      sample();
      return { peak_rss_mb: Math.round(peakRss / 2 ** 20), peak_heap_mb: Math.round(peakHeap / 2 ** 20) };
    },
    stop() {
      clearInterval(timer);
      return this.peaks();
    },
  };
}
