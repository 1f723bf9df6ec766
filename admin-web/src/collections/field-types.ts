/** A collection field as the API carries it: common properties plus its type's own options. */
export interface FieldDraft {
  id?: string;
  name: string;
  type: string;
  system?: boolean;
  hidden?: boolean;
  presentable?: boolean;
  required?: boolean;
  [option: string]: unknown;
}

export type OptionKind = 'number' | 'text' | 'bool' | 'list' | 'collection';

export interface OptionSpec {
  key: string;
  label: string;
  kind: OptionKind;
}

const n = (key: string, label: string): OptionSpec => ({ key, label, kind: 'number' });
const t = (key: string, label: string): OptionSpec => ({ key, label, kind: 'text' });
const b = (key: string, label: string): OptionSpec => ({ key, label, kind: 'bool' });
const l = (key: string, label: string): OptionSpec => ({ key, label, kind: 'list' });

/** PocketBase's 14 field types and each one's own options (the common ones are edited for all). */
export const FIELD_TYPES: Record<string, OptionSpec[]> = {
  text: [
    n('min', 'Min length'),
    n('max', 'Max length'),
    t('pattern', 'Regex pattern'),
    t('autogeneratePattern', 'Autogenerate pattern'),
  ],
  editor: [n('maxSize', 'Max size (bytes)'), b('convertURLs', 'Convert URLs')],
  number: [n('min', 'Min'), n('max', 'Max'), b('onlyInt', 'Only integers')],
  bool: [],
  email: [l('onlyDomains', 'Only domains'), l('exceptDomains', 'Except domains')],
  url: [l('onlyDomains', 'Only domains'), l('exceptDomains', 'Except domains')],
  date: [t('min', 'Min date'), t('max', 'Max date')],
  autodate: [b('onCreate', 'Set on create'), b('onUpdate', 'Set on update')],
  select: [l('values', 'Choices'), n('maxSelect', 'Max select')],
  file: [
    n('maxSelect', 'Max files'),
    n('maxSize', 'Max size (bytes)'),
    l('mimeTypes', 'MIME types'),
    l('thumbs', 'Thumb sizes'),
    b('protected', 'Protected'),
  ],
  relation: [
    { key: 'collectionId', label: 'Collection', kind: 'collection' },
    n('minSelect', 'Min select'),
    n('maxSelect', 'Max select'),
    b('cascadeDelete', 'Cascade delete'),
  ],
  json: [n('maxSize', 'Max size (bytes)')],
  password: [n('min', 'Min length'), n('max', 'Max length'), t('pattern', 'Regex pattern'), n('cost', 'Bcrypt cost')],
  geoPoint: [],
};

/** A new field's starting options: the ones the server requires a value for. */
export function newField(type: string, name: string): FieldDraft {
  const field: FieldDraft = { name, type, required: false, hidden: false, presentable: false };
  if (type === 'select') Object.assign(field, { values: [], maxSelect: 1 });
  if (type === 'relation') Object.assign(field, { collectionId: '', maxSelect: 1 });
  if (type === 'file') Object.assign(field, { maxSelect: 1 });
  if (type === 'autodate') Object.assign(field, { onCreate: true, onUpdate: false });
  return field;
}

/** The rules an API rules editor shows for a collection type. */
export const RULES: { key: string; label: string; types: string[] }[] = [
  { key: 'listRule', label: 'List/Search rule', types: ['base', 'auth', 'view'] },
  { key: 'viewRule', label: 'View rule', types: ['base', 'auth', 'view'] },
  { key: 'createRule', label: 'Create rule', types: ['base', 'auth'] },
  { key: 'updateRule', label: 'Update rule', types: ['base', 'auth'] },
  { key: 'deleteRule', label: 'Delete rule', types: ['base', 'auth'] },
  { key: 'authRule', label: 'Authentication rule', types: ['auth'] },
  { key: 'manageRule', label: 'Manage rule', types: ['auth'] },
];
