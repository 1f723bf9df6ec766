import type { FieldError } from '@hivebase/contracts';
import type { EmailField } from './email.field';
import type { FieldDefinition } from './field-definition';
import { collectErrors, requiredError, unsupportedValueTypeError, validateCommonSettings } from './field-errors.util';
import { readBoolean, readHelp, readStringList } from './option-readers.util';
import type { UrlField } from './url.field';
import { castToString } from './value-cast.util';
import { validateDomainLists } from './web-address.util';

type DomainField = EmailField | UrlField;

/**
 * What `email` and `url` share: text storage, `onlyDomains`/`exceptDomains` options, and the
 * value check "non-empty, well formed, then the domain allowed". Each type supplies how to read
 * its value's domain and its own error.
 */
export function domainRestrictedDefinition<F extends DomainField>(
  type: F['type'],
  /** The value's domain to match against the lists, or null when the value is malformed. */
  domainOf: (value: string) => string | null,
  errors: { invalid: FieldError; domainNotAllowed: FieldError },
): FieldDefinition<F> {
  return {
    type,
    defaults: () => ({ help: '', required: false, exceptDomains: null, onlyDomains: null }),
    normalizeOptions: (raw: Record<string, unknown>) => ({
      help: readHelp(raw),
      required: readBoolean(raw, 'required', false),
      exceptDomains: readStringList(raw, 'exceptDomains', null, true),
      onlyDomains: readStringList(raw, 'onlyDomains', null, true),
    }),
    validateSettings: (field: DomainField) =>
      collectErrors({ ...validateCommonSettings(field), ...validateDomainLists(field) }),
    columnType: () => "text NOT NULL DEFAULT ''",
    storageKind: () => 'text',
    prepareValue: (_field: DomainField, raw: unknown) => castToString(raw),
    validateValue(field: DomainField, value: unknown) {
      if (typeof value !== 'string') return unsupportedValueTypeError();
      if (value === '') return field.required ? requiredError() : null;
      const domain = domainOf(value);
      if (domain === null) return errors.invalid;
      // Exact, case-sensitive comparison, as PocketBase.
      const onlyDomains = field.onlyDomains ?? [];
      const exceptDomains = field.exceptDomains ?? [];
      if ((onlyDomains.length > 0 && !onlyDomains.includes(domain)) || exceptDomains.includes(domain)) {
        return errors.domainNotAllowed;
      }
      return null;
    },
    toJson: (_field: DomainField, stored: unknown) => castToString(stored),
    // Both types have exactly these options, which TypeScript cannot see through the generic.
  } as unknown as FieldDefinition<F>;
}
