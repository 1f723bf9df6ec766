import type { FieldDraft } from '../collections/field-types';

export interface PreviewCollection {
  name: string;
  type: string;
  fields: FieldDraft[];
  listRule?: string | null;
  viewRule?: string | null;
  createRule?: string | null;
  updateRule?: string | null;
  deleteRule?: string | null;
}

export interface PreviewParam {
  name: string;
  type: string;
  description: string;
}

export interface PreviewAction {
  id: string;
  title: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The rule that guards it: `null` superusers only, `''` everyone, else the filter. */
  rule?: string | null;
  query: PreviewParam[];
  body: PreviewParam[];
  sdk: string;
  response: unknown;
}

const many = (field: FieldDraft) => Number(field.maxSelect ?? 1) > 1;

/** An example value of a field in a record response, as PocketBase's API preview shows one. */
export function exampleValue(field: FieldDraft): unknown {
  switch (field.type) {
    case 'number':
      return 123;
    case 'bool':
      return true;
    case 'email':
      return 'test@example.com';
    case 'url':
      return 'https://example.com';
    case 'editor':
      return '<p>test</p>';
    case 'date':
    case 'autodate':
      return '2022-01-01 10:00:00.123Z';
    case 'select': {
      const first = (field.values as string[] | undefined)?.[0] ?? 'optionA';
      return many(field) ? [first] : first;
    }
    case 'file':
      return many(field) ? ['filename.jpg'] : 'filename.jpg';
    case 'relation':
      return many(field) ? ['RELATION_RECORD_ID'] : 'RELATION_RECORD_ID';
    case 'json':
      return 'JSON';
    case 'geoPoint':
      return { lon: 0, lat: 0 };
    default:
      return field.name === 'id' ? 'RECORD_ID' : 'test';
  }
}

/** A record as the API answers it: hidden fields and passwords left out. */
export function exampleRecord(collection: PreviewCollection): Record<string, unknown> {
  const record: Record<string, unknown> = { collectionId: 'COLLECTION_ID', collectionName: collection.name };
  for (const field of collection.fields) {
    if (field.hidden || field.type === 'password') continue;
    record[field.name] = exampleValue(field);
  }
  return record;
}

const BODY_TYPES: Record<string, string> = {
  number: 'Number',
  bool: 'Boolean',
  select: 'String',
  file: 'File',
  relation: 'String',
  json: 'JSON',
  geoPoint: '{lon, lat}',
};

function bodyParams(collection: PreviewCollection): PreviewParam[] {
  const params: PreviewParam[] = [];
  for (const field of collection.fields) {
    if (field.type === 'autodate' || field.name === 'tokenKey') continue;
    const type = BODY_TYPES[field.type] ?? 'String';
    const plural =
      (field.type === 'select' || field.type === 'file' || field.type === 'relation') && many(field)
        ? `Array<${type}>`
        : type;
    const required = field.required ? 'Required' : 'Optional';
    params.push({
      name: field.name,
      type: plural,
      description: `${required} ${field.type}${field.name === 'id' ? ' (15 characters, generated when left out)' : ''}`,
    });
    if (field.type === 'password')
      params.push({
        name: `${field.name}Confirm`,
        type: 'String',
        description: `${required}, must equal ${field.name}`,
      });
  }
  return params;
}

const LIST_QUERY: PreviewParam[] = [
  { name: 'page', type: 'Number', description: 'The page (aka. offset) of the paginated list (default 1).' },
  { name: 'perPage', type: 'Number', description: 'The max returned records per page (default 30).' },
  { name: 'sort', type: 'String', description: 'Sort order, e.g. -created,id; @random and @rowid too.' },
  { name: 'filter', type: 'String', description: 'Filter expression, e.g. (title ~ "abc" && created > "2022-01-01").' },
  {
    name: 'expand',
    type: 'String',
    description: 'Relations to expand, up to 6 levels deep, e.g. author,comments.user.',
  },
  {
    name: 'fields',
    type: 'String',
    description: 'Comma separated fields to return, e.g. *,expand.author.name, with :excerpt(200).',
  },
  {
    name: 'skipTotal',
    type: 'Boolean',
    description: 'Skip the total counts (faster): totalItems and totalPages are -1.',
  },
];
const VIEW_QUERY = LIST_QUERY.filter((param) => param.name === 'expand' || param.name === 'fields');

/** The API of one collection, generated from its live schema: routes, parameters, bodies, answers. */
export function apiPreview(collection: PreviewCollection): PreviewAction[] {
  const base = `/api/collections/${encodeURIComponent(collection.name)}`;
  const record = exampleRecord(collection);
  const sdk = `pb.collection('${collection.name}')`;
  const actions: PreviewAction[] = [
    {
      id: 'list',
      title: 'List/Search',
      method: 'GET',
      path: `${base}/records`,
      rule: collection.listRule,
      query: LIST_QUERY,
      body: [],
      sdk: `const page = await ${sdk}.getList(1, 50, { filter: 'created >= "2022-01-01 00:00:00"' });`,
      response: { page: 1, perPage: 30, totalPages: 1, totalItems: 2, items: [record, record] },
    },
    {
      id: 'view',
      title: 'View',
      method: 'GET',
      path: `${base}/records/:id`,
      rule: collection.viewRule,
      query: VIEW_QUERY,
      body: [],
      sdk: `const record = await ${sdk}.getOne('RECORD_ID', { expand: 'relField1,relField2.subRelField' });`,
      response: record,
    },
  ];
  if (collection.type === 'view') return actions;
  actions.push(
    {
      id: 'create',
      title: 'Create',
      method: 'POST',
      path: `${base}/records`,
      rule: collection.createRule,
      query: VIEW_QUERY,
      body: bodyParams(collection),
      sdk: `const record = await ${sdk}.create(data);`,
      response: record,
    },
    {
      id: 'update',
      title: 'Update',
      method: 'PATCH',
      path: `${base}/records/:id`,
      rule: collection.updateRule,
      query: VIEW_QUERY,
      body: bodyParams(collection).filter((param) => param.name !== 'id'),
      sdk: `const record = await ${sdk}.update('RECORD_ID', data);`,
      response: record,
    },
    {
      id: 'delete',
      title: 'Delete',
      method: 'DELETE',
      path: `${base}/records/:id`,
      rule: collection.deleteRule,
      query: [],
      body: [],
      sdk: `await ${sdk}.delete('RECORD_ID');`,
      response: null,
    },
  );
  if (collection.type === 'auth') {
    actions.push(
      {
        id: 'auth-with-password',
        title: 'Auth with password',
        method: 'POST',
        path: `${base}/auth-with-password`,
        query: VIEW_QUERY,
        body: [
          {
            name: 'identity',
            type: 'String',
            description: 'Required: the value of one of the identity fields (email by default).',
          },
          { name: 'password', type: 'String', description: 'Required: the password.' },
        ],
        sdk: `const authData = await ${sdk}.authWithPassword('test@example.com', 'password');`,
        response: { token: 'JWT_TOKEN', record },
      },
      {
        id: 'auth-refresh',
        title: 'Auth refresh',
        method: 'POST',
        path: `${base}/auth-refresh`,
        query: VIEW_QUERY,
        body: [],
        sdk: `const authData = await ${sdk}.authRefresh();`,
        response: { token: 'JWT_TOKEN', record },
      },
      {
        id: 'auth-methods',
        title: 'Auth methods',
        method: 'GET',
        path: `${base}/auth-methods`,
        query: [],
        body: [],
        sdk: `const methods = await ${sdk}.listAuthMethods();`,
        response: {
          password: { enabled: true, identityFields: ['email'] },
          oauth2: { enabled: false, providers: [] },
          mfa: { enabled: false, duration: 0 },
          otp: { enabled: false, duration: 0 },
        },
      },
    );
  }
  return actions;
}
