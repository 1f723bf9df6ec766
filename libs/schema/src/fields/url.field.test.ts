import { describe, expect, it } from 'vitest';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';
import { urlFieldDefinition as url } from './url.field';

describe('url field', () => {
  it('defaults, options and column', () => {
    expect(url.defaults()).toEqual({ help: '', required: false, exceptDomains: null, onlyDomains: null });
    expect(url.normalizeOptions({ exceptDomains: ['a.com'] })).toEqual({
      help: '',
      required: false,
      exceptDomains: ['a.com'],
      onlyDomains: null,
    });
    expect(url.columnType(makeField('url'))).toBe("text NOT NULL DEFAULT ''");
  });

  it('validates the domain lists like email', () => {
    const both = makeField('url', { onlyDomains: ['a.com'], exceptDomains: ['b.com'] });
    expect(codesOf(url.validateSettings(both, settingsContextFor(both)))).toEqual({
      onlyDomains: 'validation_empty',
      exceptDomains: 'validation_empty',
    });
    const bad = makeField('url', { exceptDomains: ['-bad-.com'] });
    expect(codesOf(url.validateSettings(bad, settingsContextFor(bad)))).toEqual({
      exceptDomains: { '0': 'validation_is_domain' },
    });
  });

  it('never throws on hostile input', () => {
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof url.prepareValue(makeField('url'), raw)).toBe('string');
    }
  });

  it.each([
    ['empty, not required', {}, '', null],
    ['empty, required', { required: true }, '', 'validation_required'],
    ['https', {}, 'https://example.com/path?q=1#frag', null],
    ['http with port and user', {}, 'http://user:pass@example.com:8080/x', null],
    ['localhost with scheme', {}, 'http://localhost:3000', null],
    ['IPv4', {}, 'http://127.0.0.1/', null],
    ['IPv6', {}, 'http://[::1]:8090/', null],
    ['no scheme (govalidator accepts)', {}, 'example.com/path', null],
    ['unicode host', {}, 'https://пример.рф', null],
    ['unknown scheme', {}, 'javascript://alert(1)', 'validation_invalid_url'],
    ['mailto: read as user info, as govalidator does', {}, 'mailto:a@b.com', null],
    ['uppercase scheme', {}, 'HTTPS://example.com', 'validation_invalid_url'],
    ['whitespace', {}, 'https://exa mple.com', 'validation_invalid_url'],
    ['bare word', {}, 'abcd', 'validation_invalid_url'],
    ['leading dot', {}, '.example.com', 'validation_invalid_url'],
    ['bad IPv4', {}, 'http://999.1.1.1', 'validation_invalid_url'],
    [
      'host not in onlyDomains',
      { onlyDomains: ['example.com'] },
      'https://other.com',
      'validation_url_domain_not_allowed',
    ],
    ['host in onlyDomains', { onlyDomains: ['example.com'] }, 'https://example.com/a', null],
    [
      'host with port vs onlyDomains',
      { onlyDomains: ['example.com'] },
      'https://example.com:81',
      'validation_url_domain_not_allowed',
    ],
    [
      'host in exceptDomains',
      { exceptDomains: ['example.com'] },
      'https://example.com',
      'validation_url_domain_not_allowed',
    ],
  ])('%s', (_name, overrides, value, expected) => {
    expect(url.validateValue(makeField('url', overrides), value, CREATE)?.code ?? null).toBe(expected);
  });

  it('uses the PocketBase messages', () => {
    expect(url.validateValue(makeField('url'), 'nope nope', CREATE)).toEqual({
      code: 'validation_invalid_url',
      message: 'Must be a valid url.',
    });
    expect(url.validateValue(makeField('url', { onlyDomains: ['a.com'] }), 'https://b.com', CREATE)?.message).toBe(
      'Url domain is not allowed.',
    );
  });

  it('sends the string', () => {
    expect(url.toJson(makeField('url'), 'https://a.com')).toBe('https://a.com');
  });
});
