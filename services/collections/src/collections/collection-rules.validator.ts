import type { ErrorData, FieldError } from '@hivebase/contracts';
import { compileFilter, FilterError } from '@hivebase/filter';
import type { Collection, CollectionLookup } from '@hivebase/schema';

const RECORD_RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const VIEW_RULES = ['listRule', 'viewRule'] as const;
const AUTH_RULES = ['authRule', 'manageRule'] as const;

/** PocketBase's checkRule: the rule must build against the collection as it would be saved. */
function ruleError(rule: string | null, collection: Collection, lookup: CollectionLookup): FieldError | null {
  if (!rule) return null;
  try {
    // No request: the rule is only resolved (every name checked), not evaluated.
    compileFilter(rule, { lookup, collection, request: null, allowHiddenFields: true });
    return null;
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    return { code: 'validation_invalid_rule', message: `Invalid rule. Raw error: ${error.message}` };
  }
}

/**
 * Every API rule of `collection` (record rules, auth and manage rules, the MFA rule while MFA is
 * on) resolved against `collection` itself, as it would be saved, and `lookup` (the other
 * collections as they would be after the change). Errors go under the rule's key, as in PocketBase.
 * View collections' write rules are left to validateCollection (they must be null).
 */
export function validateCollectionRules(collection: Collection, lookup: CollectionLookup): ErrorData {
  const errors: ErrorData = {};
  const keys = collection.type === 'view' ? VIEW_RULES : RECORD_RULES;
  for (const key of keys) {
    const error = ruleError(collection[key], collection, lookup);
    if (error) errors[key] = error;
  }
  if (collection.type === 'auth') {
    for (const key of AUTH_RULES) {
      const error = ruleError(collection[key], collection, lookup);
      if (error) errors[key] = error;
    }
    const mfaRule = collection.mfa.enabled ? ruleError(collection.mfa.rule, collection, lookup) : null;
    if (mfaRule) errors.mfa = { rule: mfaRule };
  }
  return errors;
}
