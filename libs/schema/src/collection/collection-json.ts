import { fieldToJson } from '../fields/field-json';
import type { Collection } from '../model/collection.model';
import { TOKEN_KINDS } from './auth-defaults';

/**
 * A collection as PocketBase sends it: its struct order (id, rules, name, type, fields, indexes,
 * created, updated, system, then the type's options), with token and OAuth2 secrets left out.
 */
export function collectionToJson(collection: Collection): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: collection.id,
    listRule: collection.listRule,
    viewRule: collection.viewRule,
    createRule: collection.createRule,
    updateRule: collection.updateRule,
    deleteRule: collection.deleteRule,
    name: collection.name,
    type: collection.type,
    fields: collection.fields.map(fieldToJson),
    indexes: collection.indexes,
    created: collection.created,
    updated: collection.updated,
    system: collection.system,
  };
  if (collection.type === 'view') json.viewQuery = collection.viewQuery;
  if (collection.type === 'auth') {
    json.authRule = collection.authRule;
    json.manageRule = collection.manageRule;
    json.authAlert = collection.authAlert;
    json.oauth2 = {
      providers: collection.oauth2.providers.map(({ clientSecret: _secret, ...provider }) => provider),
      mappedFields: collection.oauth2.mappedFields,
      enabled: collection.oauth2.enabled,
    };
    json.passwordAuth = collection.passwordAuth;
    json.mfa = collection.mfa;
    json.otp = collection.otp;
    for (const kind of TOKEN_KINDS) json[kind] = { duration: collection[kind].duration };
    json.verificationTemplate = collection.verificationTemplate;
    json.resetPasswordTemplate = collection.resetPasswordTemplate;
    json.confirmEmailChangeTemplate = collection.confirmEmailChangeTemplate;
  }
  return json;
}
