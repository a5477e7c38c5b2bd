import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface HealthState {
  ok: boolean;
  detail: Record<string, unknown>;
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The ingest service's metrics (one set per process). */
export function createIngestMetrics(registry: Registry) {
  return {
    consumed: new Counter({
      name: 'commune_pulse_ingest_consumed_total',
      help: 'Messages (Kafka) or lines (files) read',
      labelNames: ['source'],
      registers: [registry],
    }),
    stored: new Counter({
      name: 'commune_pulse_ingest_stored_total',
      help: 'New events stored in the warehouse',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'commune_pulse_ingest_duplicates_total',
      help: 'Deliveries of events already stored',
      registers: [registry],
    }),
    redelivered: new Counter({
      name: 'commune_pulse_ingest_redelivered_total',
      help: 'Positions read again that the ledger had processed before (nothing done)',
      registers: [registry],
    }),
    sourceChanges: new Counter({
      name: 'commune_pulse_ingest_source_changes_total',
      help: 'Topics found re-created (another topic id under the same name): their events are a new source',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'commune_pulse_ingest_rejected_total',
      help: 'Rejected deliveries by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'commune_pulse_ingest_batch_seconds',
      help: 'Time to validate and store one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'commune_pulse_ingest_lag_messages',
      help: 'Messages behind the partition high watermark',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'commune_pulse_ingest_store_retries_total',
      help: 'Batches retried because the warehouse failed',
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** `/metrics` (Prometheus text) and `/health` (200 when healthy, 503 otherwise, JSON detail). */
export async function startMetricsServer(
  registry: Registry,
  health: () => HealthState,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        },
      );
      return;
    }
    if (request.url === '/health') {
      const state = health();
      response.writeHead(state.ok ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(state));
      return;
    }
    response.writeHead(404);
    response.end('not found: try /metrics or /health\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
