import { createLogger, processEnvironment, runServiceProcess } from '@commune-pulse/runtime';
import { loadReporterConfig } from './config.ts';
import { startReporterService } from './service.ts';

// The reporter as its own process (docker-compose, systemd): configured by the environment only.
await runServiceProcess('reporter', async () => {
  const config = loadReporterConfig(processEnvironment());
  return startReporterService(config, createLogger('reporter', config.logLevel));
});
