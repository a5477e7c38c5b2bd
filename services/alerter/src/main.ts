import { createLogger, processEnvironment, runServiceProcess } from '@commune-pulse/runtime';
import { loadAlerterConfig } from './config.ts';
import { startAlerterService } from './service.ts';

// The alerter as its own process, configured by the environment only. With the embedded engine it must be
// the only process on the data folder; beside other processes, point it at a server with CLICKHOUSE_URL.
await runServiceProcess('alerter', async () => {
  const config = loadAlerterConfig(processEnvironment());
  return startAlerterService(config, createLogger('alerter', config.logLevel), { handleSignals: true });
});
