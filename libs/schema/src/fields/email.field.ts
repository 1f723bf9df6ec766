import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import { collectErrors, requiredError, unsupportedValueTypeError, validateCommonSettings } from './field-errors.util';
import { readBoolean, readStringList } from './option-readers.util';
import { castToString } from './value-cast.util';
import { isEmail, validateDomainLists } from './web-address.util';

/** `email`: a string checked for email format and allowed domains; `text NOT NULL DEFAULT ''`. */
export const emailFieldDefinition: FieldDefinition<'email'> = {
  type: 'email',

  defaults: () => ({ required: false, exceptDomains: null, onlyDomains: null }),

  normalizeOptions: (raw) => ({
    required: readBoolean(raw, 'required', false),
    exceptDomains: readStringList(raw, 'exceptDomains', null, true),
    onlyDomains: readStringList(raw, 'onlyDomains', null, true),
  }),

  validateSettings: (field) => collectErrors({ ...validateCommonSettings(field), ...validateDomainLists(field) }),

  columnType: () => "text NOT NULL DEFAULT ''",

  prepareValue: (_field, raw) => castToString(raw),

  validateValue(field, value) {
    if (typeof value !== 'string') {
      return unsupportedValueTypeError();
    }
    if (value === '') {
      return field.required ? requiredError() : null;
    }
    if (!isEmail(value)) {
      return fieldError('validation_is_email', 'Must be a valid email address.');
    }
    // Exact, case-sensitive comparison, as PocketBase.
    const domain = value.slice(value.lastIndexOf('@') + 1);
    const onlyDomains = field.onlyDomains ?? [];
    const exceptDomains = field.exceptDomains ?? [];
    if (
      (onlyDomains.length > 0 && !onlyDomains.includes(domain)) ||
      (exceptDomains.length > 0 && exceptDomains.includes(domain))
    ) {
      return fieldError('validation_email_domain_not_allowed', 'Email domain is not allowed.');
    }
    return null;
  },

  toJson: (_field, stored) => castToString(stored),
};
