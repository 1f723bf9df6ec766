import type { ErrorData, FieldError } from '@hivebase/contracts';
import { fieldError } from '../fields/field-definition';
import { requiredError } from '../fields/field-errors.util';
import { checkUrl } from '../fields/web-address.util';
import type { AuthOptions } from '../model/collection.model';
import { findOAuth2Provider } from './oauth2-providers';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (message: string): FieldError => fieldError('validation_invalid_value', message);

const TEXT_KEYS = ['name', 'clientId', 'clientSecret', 'authURL', 'tokenURL', 'userInfoURL', 'displayName'] as const;
const URL_KEYS = ['authURL', 'tokenURL', 'userInfoURL'] as const;

/** Go's zero value for a key the JSON left out. */
const textOf = (provider: JsonObject, key: string): string => (typeof provider[key] === 'string' ? provider[key] : '');

/**
 * What PocketBase could not even bind into its `OAuth2ProviderConfig` structs (it answers those
 * with a bare 400); here each wrong JSON type gets its own entry, keyed by provider index.
 */
function shapeErrors(providers: unknown): FieldError | ErrorData | null {
  if (!Array.isArray(providers)) return invalid('Must be an array.');
  const errors: ErrorData = {};
  providers.forEach((provider: unknown, index) => {
    if (!isObject(provider)) {
      errors[String(index)] = invalid('Must be an object.');
      return;
    }
    const problems: ErrorData = {};
    for (const key of TEXT_KEYS) {
      if (provider[key] !== undefined && typeof provider[key] !== 'string')
        problems[key] = invalid('Must be a string.');
    }
    if (provider.pkce !== undefined && provider.pkce !== null && typeof provider.pkce !== 'boolean') {
      problems.pkce = invalid('Must be a boolean or null.');
    }
    if (provider.extra !== undefined && provider.extra !== null && !isObject(provider.extra)) {
      problems.extra = invalid('Must be an object or null.');
    }
    if (Object.keys(problems).length > 0) errors[String(index)] = problems;
  });
  return Object.keys(errors).length > 0 ? errors : null;
}

/** PocketBase's checkForDuplicatedProviders: only the first repeated name is reported. */
function duplicateError(providers: readonly JsonObject[]): ErrorData | null {
  const seen = new Set<string>();
  for (const [index, provider] of providers.entries()) {
    const name = textOf(provider, 'name');
    if (name === '') continue; // reported as required below
    if (seen.has(name)) {
      return {
        [String(index)]: {
          name: fieldError('validation_duplicated_provider', `The provider ${name} is already registered.`, { name }),
        },
      };
    }
    seen.add(name);
  }
  return null;
}

/** PocketBase's OAuth2ProviderConfig.Validate: every failing key, one error each. */
function providerErrors(provider: JsonObject): ErrorData {
  const errors: ErrorData = {};
  const name = textOf(provider, 'name');
  if (name === '') errors.name = requiredError();
  else if (!findOAuth2Provider(name)) {
    errors.name = fieldError('validation_missing_provider', `Invalid or missing provider with name ${name}.`, {
      name,
    });
  }
  if (textOf(provider, 'clientId') === '') errors.clientId = requiredError();
  if (textOf(provider, 'clientSecret') === '') errors.clientSecret = requiredError();
  for (const key of URL_KEYS) {
    const url = textOf(provider, key);
    // ozzo's `is.URL` lets an empty value through (the preset's URL is used then).
    if (url !== '' && !checkUrl(url).valid) errors[key] = fieldError('validation_is_url', 'Must be a valid URL.');
  }
  return errors;
}

/**
 * PocketBase's OAuth2Config.Validate for an auth collection's `oauth2` option, as the error data
 * under `oauth2` (empty when valid). As there, a disabled config is not checked (it may hold a
 * half-written provider), except for JSON of the wrong types, which PocketBase cannot even read.
 * When enabled: no provider name twice (`validation_duplicated_provider`), then per provider a
 * known `name` (`validation_missing_provider`), `clientId` and `clientSecret` present, and the
 * three URLs, when set, valid.
 */
export function validateOAuth2Config(oauth2: AuthOptions['oauth2']): ErrorData {
  const providers: unknown = oauth2.providers;
  const shape = shapeErrors(providers);
  if (shape) return { providers: shape };
  if (oauth2.enabled !== true) return {};

  const configs = providers as JsonObject[];
  const duplicate = duplicateError(configs);
  if (duplicate) return { providers: duplicate };

  const errors: ErrorData = {};
  configs.forEach((provider, index) => {
    const problems = providerErrors(provider);
    if (Object.keys(problems).length > 0) errors[String(index)] = problems;
  });
  return Object.keys(errors).length > 0 ? { providers: errors } : {};
}
