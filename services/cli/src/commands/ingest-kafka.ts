import { runKafkaIngest } from '@commune-pulse/ingest';
import { createLogger, type RuntimeConfig, startMemorySampler } from '@commune-pulse/runtime';
import { formatTable } from '../output.ts';
import { progressBar } from '../progress.ts';

export async function runKafkaIngestCommand(
  config: RuntimeConfig,
  options: {
    topic?: string | undefined;
    group?: string | undefined;
    exitWhenIdleSeconds?: number | undefined;
    chunkSize?: number | undefined;
    fetchBytes?: number | undefined;
    json: boolean;
  },
): Promise<void> {
  const logger = createLogger('ingest', config.logLevel);
  const memory = startMemorySampler();
  let startingMs: number | null = null;
  let firstChunkStartedMs: number | null = null;
  let lastChunkStoredMs: number | null = null;
  // CPU time of the process (JavaScript and the embedded engine's threads) from connecting to the broker to the last
  // chunk stored: a figure that a busy machine changes less than the wall clock
  const cpu: { first: NodeJS.CpuUsage | null; last: NodeJS.CpuUsage | null } = { first: null, last: null };
  let consumingPeaks = memory.peaks();
  const progress = kafkaIngestProgress();
  const total = await runKafkaIngest(config, {
    ...options,
    logger,
    onDeriveProgress: progress.onDeriveProgress,
    onConsumerStarting: () => {
      startingMs = Date.now();
      cpu.first = process.cpuUsage();
    },
    onChunkStored: (outcome, startedMs) => {
      progress.onChunkStored(outcome);
      cpu.last = process.cpuUsage();
      firstChunkStartedMs ??= startedMs;
      lastChunkStoredMs = Date.now();
      consumingPeaks = memory.peaks();
    },
  });
  progress.stop();
  const storingSeconds =
    firstChunkStartedMs === null || lastChunkStoredMs === null
      ? null
      : (lastChunkStoredMs - firstChunkStartedMs) / 1000;
  const endToEndSeconds =
    startingMs === null || lastChunkStoredMs === null ? null : (lastChunkStoredMs - startingMs) / 1000;
  const summary = {
    messages: total.deliveries,
    accepted: total.accepted,
    duplicates: total.duplicates,
    redelivered: total.redelivered,
    rejected: total.rejected,
    rejected_by_reason: total.rejectedByReason,
    // from the first chunk taken to the last one stored: the consumer's own throughput, without start-up and idle
    storing_seconds: storingSeconds,
    messages_per_second: storingSeconds ? Math.round(total.deliveries / storingSeconds) : null,
    // from connecting to the broker (subscribing and the group join included) to the last chunk stored: what the Kafka engine's time is
    end_to_end_seconds: endToEndSeconds,
    end_to_end_messages_per_second: endToEndSeconds ? Math.round(total.deliveries / endToEndSeconds) : null,
    consuming_cpu_seconds:
      cpu.first === null || cpu.last === null
        ? null
        : Number(((cpu.last.user - cpu.first.user + cpu.last.system - cpu.first.system) / 1e6).toFixed(2)),
    // peaks while consuming (up to the last chunk stored), and over the whole run with the final refresh of the
    // lifecycle tables
    consuming_peak_rss_mb: consumingPeaks.peak_rss_mb,
    consuming_peak_heap_mb: consumingPeaks.peak_heap_mb,
    ...memory.stop(),
  };
  if (options.json) console.log(JSON.stringify(summary));
  else
    console.log(
      formatTable([
        {
          messages: total.deliveries,
          accepted: total.accepted,
          duplicates: total.duplicates,
          rejected: total.rejected,
        },
      ]),
    );
}

/** Progress of a Kafka ingest run: messages taken so far, and each refresh of the lifecycle tables. */
export function kafkaIngestProgress() {
  const consumed = progressBar('consume', 'messages');
  let messages = 0;
  let derive: ReturnType<typeof progressBar> | null = null;
  return {
    onChunkStored(outcome: { deliveries: number }) {
      messages += outcome.deliveries;
      consumed.update(messages);
    },
    onDeriveProgress(done: number, total: number) {
      derive ??= progressBar('derive', 'communes');
      derive.update(done, total);
      if (done >= total) {
        derive.stop();
        derive = null;
      }
    },
    stop() {
      consumed.stop();
      derive?.stop();
    },
  };
}
