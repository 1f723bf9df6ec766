import { ConfigError } from '@hivebase/platform';
import { describe, expect, it } from 'vitest';
import { standaloneConfig, withTerminalDefaults } from './standalone-config';

describe('standaloneConfig', () => {
  it('lets --http and --dir win over the environment', () => {
    const config = standaloneConfig({ http: '0.0.0.0:9999', dir: '/data' }, { HB_HTTP: '127.0.0.1:1', HB_DIR: '/x' });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(config.dataDir).toBe('/data');
  });

  it('falls back to the environment, then to the defaults', () => {
    expect(standaloneConfig({}, { HB_DIR: '/srv/hb' }).dataDir).toBe('/srv/hb');
    expect(standaloneConfig({}, {}).http).toEqual({ host: '127.0.0.1', port: 8090 });
  });

  it('rejects a bad --http naming the variable it stands for', () => {
    expect(() => standaloneConfig({ http: 'nope' }, {})).toThrow(ConfigError);
    expect(() => standaloneConfig({ http: 'nope' }, {})).toThrow(/HB_HTTP="nope"/);
  });
});

describe('withTerminalDefaults', () => {
  it('makes logs human on a terminal and JSON lines elsewhere', () => {
    expect(standaloneConfig({}, withTerminalDefaults({}, true)).logPretty).toBe(true);
    expect(standaloneConfig({}, withTerminalDefaults({}, false)).logPretty).toBe(false);
  });

  it('lets LOG_PRETTY decide when set', () => {
    expect(standaloneConfig({}, withTerminalDefaults({ LOG_PRETTY: 'false' }, true)).logPretty).toBe(false);
    expect(standaloneConfig({}, withTerminalDefaults({ LOG_PRETTY: 'true' }, false)).logPretty).toBe(true);
  });
});
