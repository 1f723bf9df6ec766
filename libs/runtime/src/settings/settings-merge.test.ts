import { describe, expect, it } from 'vitest';
import { defaultSettings, toPublicSettings } from './settings.model';
import { mergeSettings, settingsFromStored } from './settings-merge';

describe('defaultSettings', () => {
  it("has PocketBase's keys in PocketBase's order", () => {
    const settings = defaultSettings();
    expect(Object.keys(settings)).toEqual([
      'superuserIPs',
      'smtp',
      'backups',
      's3',
      'meta',
      'rateLimits',
      'trustedProxy',
      'batch',
      'logs',
    ]);
    expect(Object.keys(settings.smtp)).toEqual([
      'enabled',
      'port',
      'host',
      'username',
      'password',
      'authMethod',
      'tls',
      'localName',
    ]);
    expect(Object.keys(settings.rateLimits)).toEqual(['rules', 'excludedIPs', 'enabled']);
    expect(settings.batch).toEqual({ enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 0 });
    expect(settings.rateLimits.rules.map((rule) => rule.label)).toEqual(['*:auth', '*:create', '/api/batch', '/api/']);
  });

  it('is a fresh copy each time', () => {
    const first = defaultSettings();
    first.rateLimits.rules.pop();
    expect(defaultSettings().rateLimits.rules).toHaveLength(4);
  });
});

describe('mergeSettings', () => {
  it('merges objects key by key and replaces arrays', () => {
    const { settings, ok } = mergeSettings(defaultSettings(), {
      meta: { appName: 'Hive' },
      rateLimits: { rules: [{ label: '/api/', maxRequests: 5, duration: 1 }] },
      trustedProxy: { headers: ['X-Real-IP'] },
    });
    expect(ok).toBe(true);
    expect(settings.meta).toEqual({ ...defaultSettings().meta, appName: 'Hive' });
    expect(settings.rateLimits).toEqual({
      rules: [{ label: '/api/', audience: '', duration: 1, maxRequests: 5 }],
      excludedIPs: [],
      enabled: false,
    });
    expect(settings.trustedProxy).toEqual({ headers: ['X-Real-IP'], useLeftmostIP: false });
  });

  it('keeps the base for absent and null keys, empties arrays set to null, ignores unknown keys', () => {
    const base = defaultSettings();
    base.trustedProxy.headers = ['X-Forwarded-For'];
    const { settings, ok } = mergeSettings(base, {
      meta: null,
      smtp: { host: null },
      trustedProxy: { headers: null },
      unknown: { x: 1 },
    });
    expect(ok).toBe(true);
    expect(settings.meta).toEqual(base.meta);
    expect(settings.smtp.host).toBe('smtp.example.com');
    expect(settings.trustedProxy.headers).toEqual([]);
    expect(settings).not.toHaveProperty('unknown');
  });

  it('keeps a stored secret when the patch sends an empty one', () => {
    const base = defaultSettings();
    base.smtp.password = 'smtp-pass';
    base.s3.secret = 's3-secret';
    base.backups.s3.secret = 'backup-secret';
    const kept = mergeSettings(base, {
      smtp: { password: '' },
      s3: { secret: '', bucket: 'b' },
      backups: { s3: { secret: null } },
    });
    expect([kept.settings.smtp.password, kept.settings.s3.secret, kept.settings.backups.s3.secret]).toEqual([
      'smtp-pass',
      's3-secret',
      'backup-secret',
    ]);
    expect(mergeSettings(base, { smtp: { password: 'new' } }).settings.smtp.password).toBe('new');
  });

  it.each([
    ['an array', []],
    ['a string', 'meta'],
    ['a number', 3],
  ])('refuses %s as the body, without field data', (_what, body) => {
    expect(mergeSettings(defaultSettings(), body)).toMatchObject({ ok: false, errors: {} });
  });

  it('treats a missing body as no change', () => {
    expect(mergeSettings(defaultSettings(), undefined)).toEqual({ settings: defaultSettings(), errors: {}, ok: true });
  });

  it('reports every value of the wrong type at its path', () => {
    const invalid = { code: 'validation_invalid_value', message: 'Invalid value.' };
    const { ok, errors } = mergeSettings(defaultSettings(), {
      meta: { appName: 5, hideControls: 'yes' },
      smtp: 'on',
      batch: { maxRequests: 1.5, timeout: '3' },
      logs: { maxDays: Number.MAX_VALUE },
      superuserIPs: ['10.0.0.1', 7],
      trustedProxy: { headers: 'X-Real-IP' },
      rateLimits: { rules: [{ label: 1 }, 'x'] },
    });
    expect(ok).toBe(false);
    expect(errors).toEqual({
      meta: { appName: invalid, hideControls: invalid },
      smtp: invalid,
      batch: { maxRequests: invalid, timeout: invalid },
      logs: { maxDays: invalid },
      superuserIPs: { 1: invalid },
      trustedProxy: { headers: invalid },
      rateLimits: { rules: { 0: { label: invalid }, 1: invalid } },
    });
  });

  it('never shares objects with the base', () => {
    const base = defaultSettings();
    const { settings } = mergeSettings(base, {});
    settings.rateLimits.rules[0].maxRequests = 99;
    settings.trustedProxy.headers.push('x');
    expect(base.rateLimits.rules[0].maxRequests).toBe(2);
    expect(base.trustedProxy.headers).toEqual([]);
  });
});

describe('settingsFromStored', () => {
  it('fills keys a stored document lacks with defaults, whatever the stored key order', () => {
    const settings = settingsFromStored({ logs: { logIP: false, maxDays: 9 }, meta: { appName: 'Stored' } });
    expect(settings.logs).toEqual({ maxDataSize: 0, maxDays: 9, minLevel: 0, logIP: false, logAuthId: false });
    expect(Object.keys(settings.logs)).toEqual(['maxDataSize', 'maxDays', 'minLevel', 'logIP', 'logAuthId']);
    expect(settings.meta.appName).toBe('Stored');
    expect(settings.batch).toEqual(defaultSettings().batch);
  });

  it('drops only the damaged values of a stored document', () => {
    const settings = settingsFromStored({ meta: { appName: 7, senderName: 'Kept' }, rateLimits: { rules: 'x' } });
    expect(settings.meta.appName).toBe('Acme');
    expect(settings.meta.senderName).toBe('Kept');
    expect(settings.rateLimits.rules).toEqual(defaultSettings().rateLimits.rules);
    expect(settingsFromStored(null)).toEqual(defaultSettings());
    expect(settingsFromStored('garbage')).toEqual(defaultSettings());
  });
});

describe('toPublicSettings', () => {
  it('leaves the three secrets out and keeps the key order', () => {
    const settings = defaultSettings();
    settings.smtp.password = 'p';
    settings.s3.secret = 's';
    settings.backups.s3.secret = 'b';
    const shown = toPublicSettings(settings);
    expect(JSON.stringify(shown)).not.toMatch(/"password"|"secret"/);
    expect(Object.keys(shown.smtp)).toEqual(['enabled', 'port', 'host', 'username', 'authMethod', 'tls', 'localName']);
    expect(Object.keys(shown.s3)).toEqual(['enabled', 'bucket', 'region', 'endpoint', 'accessKey', 'forcePathStyle']);
    expect(Object.keys(shown)).toEqual(Object.keys(settings));
    expect(settings.smtp.password).toBe('p');
  });
});
