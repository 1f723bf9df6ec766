import type { HelpfulField } from '../model/field.model';
import { domainRestrictedDefinition } from './domain-restricted.util';
import { type FieldDefinition, fieldError } from './field-definition';
import { checkUrl } from './web-address.util';

export interface UrlField extends HelpfulField {
  type: 'url';
  required: boolean;
  exceptDomains: string[] | null;
  onlyDomains: string[] | null;
}

/**
 * `url`: a string checked for URL format and allowed hosts; `text NOT NULL DEFAULT ''`.
 * PocketBase compares Go's url.Host: the host with its port, "" for a scheme-less value.
 */
export const urlFieldDefinition: FieldDefinition<UrlField> = domainRestrictedDefinition<UrlField>(
  'url',
  (value) => {
    const url = checkUrl(value);
    return url.valid ? url.host : null;
  },
  {
    invalid: fieldError('validation_invalid_url', 'Must be a valid url.'),
    domainNotAllowed: fieldError('validation_url_domain_not_allowed', 'Url domain is not allowed.'),
  },
);
