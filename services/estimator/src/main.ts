import { createLogger, processEnvironment, runServiceProcess } from '@commune-pulse/runtime';
import { loadEstimatorConfig } from './config.ts';
import { startEstimatorService } from './service.ts';

// The estimator as its own process (docker-compose, systemd): configured by the environment only.
await runServiceProcess('estimator', async () => {
  const config = loadEstimatorConfig(processEnvironment());
  return startEstimatorService(config, createLogger('estimator', config.logLevel));
});
