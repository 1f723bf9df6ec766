import { describe, expect, it } from 'vitest';
import { defaultSettings } from './settings.model';
import { mergeSettings } from './settings-merge';
import { cronExpressionProblem, isEmail, isHost, isIpOrCidr, isUrl, validateSettings } from './settings-validate';

/** Codes of the errors `patch` over the defaults gets, flattened to dot paths. */
function codesFor(patch: unknown): Record<string, string> {
  const { settings, ok } = mergeSettings(defaultSettings(), patch);
  expect(ok).toBe(true);
  const codes: Record<string, string> = {};
  const walk = (data: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(data)) {
      const item = value as { code?: unknown };
      if (typeof item.code === 'string') codes[`${prefix}${key}`] = item.code;
      else walk(value as Record<string, unknown>, `${prefix}${key}.`);
    }
  };
  walk(validateSettings(settings), '');
  return codes;
}

const s3On = {
  enabled: true,
  bucket: 'b',
  region: 'r',
  endpoint: 'https://s3.example.com',
  accessKey: 'k',
  secret: 's',
};

describe('validateSettings', () => {
  it('accepts the defaults', () => {
    expect(validateSettings(defaultSettings())).toEqual({});
  });

  it.each<[string, unknown, Record<string, string>]>([
    ['empty app name', { meta: { appName: '' } }, { 'meta.appName': 'validation_required' }],
    ['long app name', { meta: { appName: 'x'.repeat(256) } }, { 'meta.appName': 'validation_length_out_of_range' }],
    ['empty app URL', { meta: { appURL: '' } }, { 'meta.appURL': 'validation_required' }],
    ['invalid app URL', { meta: { appURL: 'not a url' } }, { 'meta.appURL': 'validation_is_url' }],
    ['empty sender name', { meta: { senderName: '' } }, { 'meta.senderName': 'validation_required' }],
    ['empty sender address', { meta: { senderAddress: '' } }, { 'meta.senderAddress': 'validation_required' }],
    ['invalid sender address', { meta: { senderAddress: 'nope' } }, { 'meta.senderAddress': 'validation_is_email' }],
    ['negative log days', { logs: { maxDays: -1 } }, { 'logs.maxDays': 'validation_min_greater_equal_than_required' }],
    ['smtp on without host', { smtp: { enabled: true, host: '' } }, { 'smtp.host': 'validation_required' }],
    ['smtp on without port', { smtp: { enabled: true, port: 0 } }, { 'smtp.port': 'validation_required' }],
    ['bad smtp host', { smtp: { host: 'bad host!' } }, { 'smtp.host': 'validation_is_host' }],
    ['negative smtp port', { smtp: { port: -25 } }, { 'smtp.port': 'validation_min_greater_equal_than_required' }],
    ['unknown auth method', { smtp: { authMethod: 'CRAM-MD5' } }, { 'smtp.authMethod': 'validation_in_invalid' }],
    ['bad local name', { smtp: { localName: '-x y' } }, { 'smtp.localName': 'validation_is_host' }],
    [
      's3 on with nothing set',
      { s3: { enabled: true } },
      {
        's3.endpoint': 'validation_required',
        's3.bucket': 'validation_required',
        's3.region': 'validation_required',
        's3.accessKey': 'validation_required',
        's3.secret': 'validation_required',
      },
    ],
    ['bad s3 endpoint', { s3: { endpoint: 'http://' } }, { 's3.endpoint': 'validation_is_url' }],
    [
      'backups s3 on without secret',
      { backups: { s3: { ...s3On, secret: '' } } },
      { 'backups.s3.secret': 'validation_required' },
    ],
    ['bad cron', { backups: { cron: '* * *' } }, { 'backups.cron': 'validation_invalid_cron' }],
    ['out of range cron', { backups: { cron: '61 * * * *' } }, { 'backups.cron': 'validation_invalid_cron' }],
    [
      'cron without max keep',
      { backups: { cron: '0 0 * * *', cronMaxKeep: 0 } },
      { 'backups.cronMaxKeep': 'validation_required' },
    ],
    [
      'negative max keep',
      { backups: { cronMaxKeep: -1 } },
      { 'backups.cronMaxKeep': 'validation_min_greater_equal_than_required' },
    ],
    [
      'batch on without max requests',
      { batch: { enabled: true, maxRequests: 0 } },
      { 'batch.maxRequests': 'validation_required' },
    ],
    ['batch on without timeout', { batch: { enabled: true, timeout: 0 } }, { 'batch.timeout': 'validation_required' }],
    [
      'negative batch values',
      { batch: { maxRequests: -1, timeout: -1, maxBodySize: -1 } },
      {
        'batch.maxRequests': 'validation_min_greater_equal_than_required',
        'batch.timeout': 'validation_min_greater_equal_than_required',
        'batch.maxBodySize': 'validation_min_greater_equal_than_required',
      },
    ],
    [
      'rate limits on without rules',
      { rateLimits: { enabled: true, rules: [] } },
      { 'rateLimits.rules': 'validation_required' },
    ],
    [
      'an empty rule',
      { rateLimits: { rules: [{}] } },
      {
        'rateLimits.rules.0.label': 'validation_required',
        'rateLimits.rules.0.maxRequests': 'validation_required',
        'rateLimits.rules.0.duration': 'validation_required',
      },
    ],
    [
      'a bad rule',
      { rateLimits: { rules: [{ label: 'a b c', audience: '@admins', duration: -1, maxRequests: -2 }] } },
      {
        'rateLimits.rules.0.label': 'validation_match_invalid',
        'rateLimits.rules.0.audience': 'validation_in_invalid',
        'rateLimits.rules.0.duration': 'validation_min_greater_equal_than_required',
        'rateLimits.rules.0.maxRequests': 'validation_min_greater_equal_than_required',
      },
    ],
    [
      'conflicting rules',
      {
        rateLimits: {
          rules: [
            { label: 'users:create', duration: 1, maxRequests: 1 },
            { label: 'users:create', duration: 2, maxRequests: 2 },
          ],
        },
      },
      { 'rateLimits.rules.1.label': 'validation_conflicting_rate_limit_rule' },
    ],
    [
      'a bad superuser IP',
      { superuserIPs: ['10.0.0.1', '10.0.0.0/33', 'x'] },
      {
        'superuserIPs.1': 'validation_is_ip',
        'superuserIPs.2': 'validation_is_ip',
      },
    ],
    [
      'a bad excluded IP and a bad log data size',
      { rateLimits: { excludedIPs: ['10.0.0.1', '::1/129', ''] }, logs: { maxDataSize: -1 } },
      {
        'rateLimits.excludedIPs.1': 'validation_invalid_ip_or_subnet',
        'rateLimits.excludedIPs.2': 'validation_invalid_ip_or_subnet',
        'logs.maxDataSize': 'validation_min_greater_equal_than_required',
      },
    ],
  ])('reports %s', (_case, patch, expected) => {
    expect(codesFor(patch)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['smtp fully configured', { smtp: { enabled: true, host: 'smtp.example.com', port: 465, authMethod: 'LOGIN' } }],
    ['s3 fully configured', { s3: s3On, backups: { s3: s3On, cron: '0 */6 * * 1-5', cronMaxKeep: 2 } }],
    ['a cron macro', { backups: { cron: '@daily' } }],
    ['batch on', { batch: { enabled: true, maxRequests: 10, timeout: 5, maxBodySize: 1024 } }],
    [
      'rules for different audiences',
      {
        rateLimits: {
          enabled: true,
          rules: [
            { label: 'POST /api/collections/', audience: '@guest', duration: 1, maxRequests: 1 },
            { label: 'POST /api/collections/', audience: '@auth', duration: 1, maxRequests: 5 },
          ],
        },
      },
    ],
    ['superuser IPs and ranges', { superuserIPs: ['127.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32'] }],
    ['excluded IPs and ranges', { rateLimits: { excludedIPs: ['127.0.0.0/8', '::1'] } }],
    ['a negative log level', { logs: { minLevel: -4 } }],
  ])('accepts %s', (_case, patch) => {
    expect(codesFor(patch)).toEqual({});
  });

  it('answers in the PocketBase error shape, keys sorted', () => {
    const { settings } = mergeSettings(defaultSettings(), {
      meta: { senderName: '', appURL: 'x y' },
      batch: { maxRequests: -1 },
      rateLimits: {
        rules: [
          { label: 'a', duration: 1, maxRequests: 1 },
          { label: 'a', duration: 1, maxRequests: 1 },
        ],
      },
    });
    const errors = validateSettings(settings);
    expect(JSON.stringify(errors)).toBe(
      JSON.stringify({
        batch: {
          maxRequests: {
            code: 'validation_min_greater_equal_than_required',
            message: 'Must be no less than 0.',
            params: { threshold: 0 },
          },
        },
        meta: {
          appURL: { code: 'validation_is_url', message: 'Must be a valid URL.' },
          senderName: { code: 'validation_required', message: 'Cannot be blank.' },
        },
        rateLimits: {
          rules: {
            1: {
              label: {
                code: 'validation_conflicting_rate_limit_rule',
                message: 'Rate limit rule configuration with label a already exists or conflicts with another rule.',
                params: { label: 'a' },
              },
            },
          },
        },
      }),
    );
  });
});

describe('format checks', () => {
  it.each([
    ['http://localhost:8090', true],
    ['https://example.com/path?q=1', true],
    ['example.com', true],
    ['http://127.0.0.1', true],
    ['http://[::1]:8090', true],
    ['not a url', false],
    ['http://', false],
    ['http://exa mple.com', false],
    ['gopher://example.com', false],
    ['javascript:alert(1)', false],
    ['', false],
  ])('isUrl(%j) is %s', (value, expected) => {
    expect(isUrl(value)).toBe(expected);
  });

  it('recognises hosts, emails, IPs and cron expressions', () => {
    expect([isHost('smtp.example.com'), isHost('10.0.0.1'), isHost('a b'), isHost('')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([isEmail('support@example.com'), isEmail('a@b'), isEmail('a@@b'), isEmail('a b@c.d')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([isIpOrCidr('1.2.3.4/0'), isIpOrCidr('::/128'), isIpOrCidr('::/129'), isIpOrCidr('1.2.3.4/x')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(cronExpressionProblem('*/5 0-6,12 1 1-12/2 0')).toBeNull();
    expect(cronExpressionProblem('* * * * 7')).toMatch(/day of week/);
    expect(cronExpressionProblem('*/0 * * * *')).not.toBeNull();
    expect(cronExpressionProblem('5-1 * * * *')).not.toBeNull();
  });
});
