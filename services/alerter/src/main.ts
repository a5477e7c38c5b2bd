import { ConfigError, createLogger } from '@commune-pulse/runtime';
import { loadAlerterConfig } from './config.ts';
import { startAlerterService } from './service.ts';

// The alerter as its own process, configured by the environment only. With the embedded engine it must be
// the only process on the data folder; beside other processes, point it at a server with CLICKHOUSE_URL.
try {
  const config = loadAlerterConfig(process.env);
  const service = await startAlerterService(config, createLogger('alerter', config.logLevel), {
    handleSignals: true,
  });
  await service.finished;
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    createLogger('alerter').error({ err: error }, 'alerter failed');
    process.exitCode = 1;
  }
}
