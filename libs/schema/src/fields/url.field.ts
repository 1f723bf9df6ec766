import type { FieldDefinition } from './field-definition';
import { fieldError } from './field-definition';
import { collectErrors, requiredError, unsupportedValueTypeError, validateCommonSettings } from './field-errors.util';
import { readBoolean, readStringList } from './option-readers.util';
import { castToString } from './value-cast.util';
import { checkUrl, validateDomainLists } from './web-address.util';

/** `url`: a string checked for URL format and allowed hosts; `text NOT NULL DEFAULT ''`. */
export const urlFieldDefinition: FieldDefinition<'url'> = {
  type: 'url',

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
    const url = checkUrl(value);
    if (!url.valid) {
      return fieldError('validation_invalid_url', 'Must be a valid url.');
    }
    // PocketBase compares Go's url.Host: the host with its port, "" for a scheme-less value.
    const onlyDomains = field.onlyDomains ?? [];
    const exceptDomains = field.exceptDomains ?? [];
    if (
      (onlyDomains.length > 0 && !onlyDomains.includes(url.host)) ||
      (exceptDomains.length > 0 && exceptDomains.includes(url.host))
    ) {
      return fieldError('validation_url_domain_not_allowed', 'Url domain is not allowed.');
    }
    return null;
  },

  toJson: (_field, stored) => castToString(stored),
};
