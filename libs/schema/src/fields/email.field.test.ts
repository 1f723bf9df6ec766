import { describe, expect, it } from 'vitest';
import { emailFieldDefinition as email } from './email.field';
import { CREATE, codesOf, HOSTILE_INPUTS, makeField, settingsContextFor } from './testing/field-fixtures';

const settings = (overrides: Parameters<typeof makeField<'email'>>[1]) => {
  const field = makeField('email', overrides);
  return codesOf(email.validateSettings(field, settingsContextFor(field)));
};

describe('email field', () => {
  it('defaults, options and column', () => {
    expect(email.defaults()).toEqual({ help: '', required: false, exceptDomains: null, onlyDomains: null });
    expect(email.normalizeOptions({ onlyDomains: ['a.com', 5], exceptDomains: null })).toEqual({
      help: '',
      required: false,
      onlyDomains: ['a.com'],
      exceptDomains: null,
    });
    expect(email.columnType(makeField('email'))).toBe("text NOT NULL DEFAULT ''");
  });

  describe('validateSettings', () => {
    it.each([
      ['no domain lists', {}, {}],
      ['only domains', { onlyDomains: ['example.com', 'sub.example.org'] }, {}],
      ['except domains', { exceptDomains: ['example.com'] }, {}],
      [
        'both lists',
        { onlyDomains: ['a.com'], exceptDomains: ['b.com'] },
        { onlyDomains: 'validation_empty', exceptDomains: 'validation_empty' },
      ],
      [
        'invalid domains',
        { onlyDomains: ['ok.com', 'not a domain', 'nodot'] },
        { onlyDomains: { '1': 'validation_is_domain', '2': 'validation_is_domain' } },
      ],
      ['empty lists alongside', { onlyDomains: ['a.com'], exceptDomains: [] }, {}],
    ])('%s', (_name, overrides, expected) => {
      expect(settings(overrides)).toEqual(expected);
    });
  });

  it('prepares strings like cast.ToString and never throws', () => {
    expect(email.prepareValue(makeField('email'), 'a@b.co')).toBe('a@b.co');
    expect(email.prepareValue(makeField('email'), { a: 1 })).toBe('');
    for (const raw of HOSTILE_INPUTS) {
      expect(typeof email.prepareValue(makeField('email'), raw)).toBe('string');
    }
  });

  describe('validateValue', () => {
    it.each([
      ['empty, not required', {}, '', null],
      ['empty, required', { required: true }, '', 'validation_required'],
      ['valid', {}, 'john.doe+tag@example.com', null],
      ['valid with unicode', {}, 'иван@пример.рф', null],
      ['valid quoted local part', {}, '"john doe"@example.com', null],
      ['missing @', {}, 'example.com', 'validation_is_email'],
      ['no TLD', {}, 'a@localhost', 'validation_is_email'],
      ['double dot in local part', {}, 'a..b@example.com', 'validation_is_email'],
      ['space', {}, 'a b@example.com', 'validation_is_email'],
      ['numeric TLD', {}, 'a@example.123', 'validation_is_email'],
      [
        'domain not in onlyDomains',
        { onlyDomains: ['example.com'] },
        'a@other.com',
        'validation_email_domain_not_allowed',
      ],
      ['domain in onlyDomains', { onlyDomains: ['example.com'] }, 'a@example.com', null],
      [
        'domain in exceptDomains',
        { exceptDomains: ['example.com'] },
        'a@example.com',
        'validation_email_domain_not_allowed',
      ],
      [
        'domain match is case-sensitive',
        { onlyDomains: ['example.com'] },
        'a@EXAMPLE.com',
        'validation_email_domain_not_allowed',
      ],
    ])('%s', (_name, overrides, value, expected) => {
      expect(email.validateValue(makeField('email', overrides), value, CREATE)?.code ?? null).toBe(expected);
    });

    // A catastrophic regex blow-up would run into the timeout; no wall-clock assertion (loaded CI machines).
    it('handles long hostile input', { timeout: 30_000 }, () => {
      const value = `${'a.'.repeat(50_000)}@${'b-'.repeat(50_000)}!`;
      expect(email.validateValue(makeField('email'), value, CREATE)?.code).toBe('validation_is_email');
    });

    it('uses the PocketBase messages', () => {
      expect(email.validateValue(makeField('email'), 'nope', CREATE)).toEqual({
        code: 'validation_is_email',
        message: 'Must be a valid email address.',
      });
      expect(email.validateValue(makeField('email', { exceptDomains: ['b.com'] }), 'a@b.com', CREATE)).toEqual({
        code: 'validation_email_domain_not_allowed',
        message: 'Email domain is not allowed.',
      });
    });
  });

  it('sends the string', () => {
    expect(email.toJson(makeField('email'), 'a@b.co')).toBe('a@b.co');
  });
});
