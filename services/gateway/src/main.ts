import 'reflect-metadata';
import { closeOnSignals, gatewayConfigSchema, listen, loadConfig, runMain } from '@hivebase/platform';
import { createGatewayApp } from './create-gateway-app';

runMain(async () => {
  const config = loadConfig(gatewayConfigSchema);
  const app = await createGatewayApp(config);
  await listen(app, config.http.host, config.http.port);
  closeOnSignals(app, config.shutdownTimeoutMs);
});
