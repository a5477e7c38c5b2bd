import { createLogger, onShutdownSignal, processEnvironment, runServiceProcess } from '@commune-pulse/runtime';
import { openWarehouse } from '@commune-pulse/warehouse';
import { loadApiConfig } from './config.ts';
import { startApi } from './server.ts';

await runServiceProcess('api', async () => {
  const config = loadApiConfig(processEnvironment());
  const logger = createLogger('api', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  const api = await startApi({
    warehouse,
    logger,
    queryLimits: config.queryLimits,
    reportsDir: config.reportsDir,
    host: config.host,
    port: config.port,
    allowedHosts: config.allowedHosts,
    tokenCacheMs: config.tokenCacheMs,
  });
  logger.info({ url: api.url, warehouse: warehouse.location }, 'api listening');
  process.stdout.write(`api listening on ${api.url} (dashboard ${api.url}/, reference ${api.url}/docs)\n`);
  const finished = new Promise<void>((resolve) => {
    onShutdownSignal(
      async () => {
        await api.close();
        await warehouse.close();
        resolve();
      },
      { deadlineMs: 25_000, logger },
    );
  });
  return { finished };
});
