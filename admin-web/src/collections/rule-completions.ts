import type { FieldDraft } from './field-types';

export interface CompletionCollection {
  id?: string;
  name: string;
  type: string;
  fields: FieldDraft[];
}

const MACROS = [
  '@now',
  '@second',
  '@minute',
  '@hour',
  '@weekday',
  '@day',
  '@month',
  '@year',
  '@yesterday',
  '@tomorrow',
  '@todayStart',
  '@todayEnd',
  '@monthStart',
  '@monthEnd',
  '@yearStart',
  '@yearEnd',
];
const REQUEST = [
  '@request.method',
  '@request.context',
  '@request.query.',
  '@request.headers.',
  '@request.body.',
  '@request.auth.',
];
const BODY_MODIFIERS = [':isset', ':changed', ':length', ':each', ':lower'];

/**
 * What a rule or filter may name, for the editor's autocomplete: the collection's fields (and
 * one level through relations), `@request.*` (auth fields of every auth collection, body fields
 * with their modifiers), `@collection.<name>.<field>`, and the date macros.
 */
export function ruleCompletions(collection: CompletionCollection, all: CompletionCollection[]): string[] {
  const out = new Set<string>();
  const byId = new Map(all.map((c) => [c.id, c]));
  for (const field of collection.fields) {
    if (!field.name) continue;
    out.add(field.name);
    if (field.type === 'relation') {
      const target = byId.get(String(field.collectionId ?? ''));
      for (const sub of target?.fields ?? []) out.add(`${field.name}.${sub.name}`);
    }
    out.add(`@request.body.${field.name}`);
    for (const modifier of BODY_MODIFIERS) out.add(`@request.body.${field.name}${modifier}`);
  }
  for (const entry of REQUEST) out.add(entry);
  out.add('@request.auth.collectionName');
  out.add('@request.auth.collectionId');
  for (const auth of all.filter((c) => c.type === 'auth')) {
    for (const field of auth.fields) if (field.type !== 'password') out.add(`@request.auth.${field.name}`);
  }
  for (const other of all) {
    for (const field of other.fields) out.add(`@collection.${other.name}.${field.name}`);
  }
  for (const macro of MACROS) out.add(macro);
  return [...out];
}
