import type { HelpfulField } from '../model/field.model';
import { domainRestrictedDefinition } from './domain-restricted.util';
import { type FieldDefinition, fieldError } from './field-definition';
import { isEmail } from './web-address.util';

export interface EmailField extends HelpfulField {
  type: 'email';
  required: boolean;
  exceptDomains: string[] | null;
  onlyDomains: string[] | null;
}

/** `email`: a string checked for email format and allowed domains; `text NOT NULL DEFAULT ''`. */
export const emailFieldDefinition: FieldDefinition<EmailField> = domainRestrictedDefinition<EmailField>(
  'email',
  (value) => (isEmail(value) ? value.slice(value.lastIndexOf('@') + 1) : null),
  {
    invalid: fieldError('validation_is_email', 'Must be a valid email address.'),
    domainNotAllowed: fieldError('validation_email_domain_not_allowed', 'Email domain is not allowed.'),
  },
);
