import {
  type ApiRule,
  type Collection,
  type Field,
  isAuthCollection,
  isMultiValue,
  isViewCollection,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';

/** A JSON Schema (2020-12, as OpenAPI 3.1 embeds it) or an OpenAPI object: plain JSON either way. */
type Json = Record<string, unknown>;

export interface OpenApiOptions {
  appName: string;
  appUrl: string;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** PocketBase's wire date: `YYYY-MM-DD HH:MM:SS.sssZ` (UTC), or "" when empty. */
const DATE: Json = {
  type: 'string',
  pattern: '^$|^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
  examples: ['2024-01-02 03:04:05.678Z'],
};

const withHelp = (schema: Json, field: Field): Json =>
  'help' in field && field.help ? { ...schema, description: field.help } : schema;

/** One value of `field` as the API answers it (`upload`: as a multipart body sends it). */
function valueSchema(field: Field, upload = false): Json {
  const many = (item: Json, max: number): Json => ({
    type: 'array',
    items: item,
    ...(max > 0 ? { maxItems: max } : {}),
  });
  switch (field.type) {
    case 'text':
      return {
        type: 'string',
        ...(field.min > 0 ? { minLength: field.min } : {}),
        ...(field.max > 0 ? { maxLength: field.max } : {}),
        ...(field.pattern ? { pattern: field.pattern } : {}),
      };
    case 'editor':
      return { type: 'string', contentMediaType: 'text/html' };
    case 'password':
      return {
        type: 'string',
        writeOnly: true,
        ...(field.min > 0 ? { minLength: field.min } : {}),
        ...(field.max > 0 ? { maxLength: field.max } : {}),
      };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'url':
      return { type: 'string', format: 'uri' };
    case 'number':
      return {
        type: field.onlyInt ? 'integer' : 'number',
        ...(field.min !== null ? { minimum: field.min } : {}),
        ...(field.max !== null ? { maximum: field.max } : {}),
      };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return DATE;
    case 'autodate':
      return { ...DATE, readOnly: true };
    case 'select':
      return isMultiValue(field)
        ? many({ type: 'string', enum: field.values }, field.maxSelect)
        : { type: 'string', enum: ['', ...field.values] };
    case 'relation': {
      const id = { type: 'string', description: 'A record id of the related collection.' };
      return isMultiValue(field) ? many(id, field.maxSelect) : id;
    }
    case 'file': {
      const item = upload
        ? { type: 'string', contentMediaType: 'application/octet-stream' }
        : { type: 'string', description: 'A stored file name: /api/files/{collection}/{record}/{name}' };
      return isMultiValue(field) ? many(item, field.maxSelect) : item;
    }
    case 'json':
      return { description: 'Any JSON value.' };
    case 'geoPoint':
      return {
        type: 'object',
        properties: {
          lon: { type: 'number', minimum: -180, maximum: 180 },
          lat: { type: 'number', minimum: -90, maximum: 90 },
        },
        required: ['lon', 'lat'],
      };
  }
}

/** A record as list and view answer it: hidden fields and passwords left out. */
function recordSchema(collection: Collection): Json {
  const properties: Json = {
    collectionId: { type: 'string', const: collection.id },
    collectionName: { type: 'string', const: collection.name },
  };
  const required = ['collectionId', 'collectionName'];
  for (const field of collection.fields) {
    if (field.hidden || field.type === 'password') continue;
    properties[field.name] = withHelp(valueSchema(field), field);
    // An auth record's email is left out unless emailVisibility (or the caller may see it).
    if (!(isAuthCollection(collection) && field.name === 'email')) required.push(field.name);
  }
  properties.expand = { type: 'object', description: 'Related records asked for with ?expand=.' };
  return { type: 'object', properties, required };
}

/** A create (`create`) or update body; `upload`: the multipart form with files. */
function bodySchema(collection: Collection, create: boolean, upload: boolean): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const field of collection.fields) {
    if (field.type === 'autodate') continue;
    if (field.type === 'file' && !upload) continue;
    if (field.system && field.name === 'tokenKey') continue;
    properties[field.name] = withHelp(valueSchema(field, upload), field);
    if (field.name === 'id') continue;
    if (create && 'required' in field && field.required) required.push(field.name);
    if (field.type === 'file') {
      properties[`${field.name}+`] = { ...valueSchema(field, true), description: 'Files appended.' };
      properties[`${field.name}-`] = {
        type: 'array',
        items: { type: 'string' },
        description: 'Names of stored files to delete.',
      };
    }
  }
  if (isAuthCollection(collection)) {
    properties.passwordConfirm = { type: 'string', writeOnly: true };
    if (create) required.push('passwordConfirm');
    else
      properties.oldPassword = {
        type: 'string',
        writeOnly: true,
        description: 'Required to change the password of a non-superuser.',
      };
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function ruleNote(rule: ApiRule): Json {
  return {
    'x-hivebase-rule': rule,
    description:
      rule === null ? 'Superusers only (null rule).' : rule === '' ? 'Everyone (empty rule).' : `Requires: ${rule}`,
  };
}

const json = (schema: Json): Json => ({ 'application/json': { schema } });
const answer = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const ERRORS: Json = {
  '400': answer('Invalid request: `data` holds the field errors.', ref('Error')),
  '403': answer('Not allowed by the rule.', ref('Error')),
  '404': answer('Not found (or hidden by the rule).', ref('Error')),
};

const QUERY = {
  page: { in: 'query', name: 'page', schema: { type: 'integer', minimum: 1, default: 1 } },
  perPage: { in: 'query', name: 'perPage', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 30 } },
  sort: { in: 'query', name: 'sort', schema: { type: 'string' }, description: 'e.g. -created,id' },
  filter: { in: 'query', name: 'filter', schema: { type: 'string' }, description: "e.g. (title ~ 'abc')" },
  expand: { in: 'query', name: 'expand', schema: { type: 'string' }, description: 'Relations to expand.' },
  fields: { in: 'query', name: 'fields', schema: { type: 'string' }, description: 'Fields to return.' },
  skipTotal: { in: 'query', name: 'skipTotal', schema: { type: 'boolean' } },
};
const ID_PARAM = { in: 'path', name: 'id', required: true, schema: { type: 'string' } };

function body(collection: Collection, name: string, create: boolean): Json {
  const hasFiles = collection.fields.some((field) => field.type === 'file');
  const content: Json = json(ref(`${name}${create ? 'Create' : 'Update'}`));
  if (hasFiles) {
    content['multipart/form-data'] = { schema: ref(`${name}${create ? 'Create' : 'Update'}Form`) };
  }
  return { required: create, content };
}

/** The paths and schemas of one collection's records API (and auth routes for auth collections). */
function describeCollection(collection: Collection, paths: Json, schemas: Json): void {
  const name = collection.name;
  const base = `/api/collections/${name}`;
  const tag = [name];
  schemas[`${name}Record`] = recordSchema(collection);
  schemas[`${name}List`] = {
    type: 'object',
    properties: {
      page: { type: 'integer' },
      perPage: { type: 'integer' },
      totalItems: { type: 'integer' },
      totalPages: { type: 'integer' },
      items: { type: 'array', items: ref(`${name}Record`) },
    },
    required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
  };
  const view = { parameters: [QUERY.expand, QUERY.fields] };
  paths[`${base}/records`] = {
    get: {
      tags: tag,
      operationId: `list_${name}`,
      summary: `List ${name} records`,
      ...ruleNote(collection.listRule),
      parameters: [QUERY.page, QUERY.perPage, QUERY.sort, QUERY.filter, QUERY.expand, QUERY.fields, QUERY.skipTotal],
      responses: { '200': answer('A page of records.', ref(`${name}List`)), ...ERRORS },
    },
    ...(isViewCollection(collection)
      ? {}
      : {
          post: {
            tags: tag,
            operationId: `create_${name}`,
            summary: `Create a ${name} record`,
            ...ruleNote(collection.createRule),
            ...view,
            requestBody: body(collection, name, true),
            responses: { '200': answer('The created record.', ref(`${name}Record`)), ...ERRORS },
          },
        }),
  };
  paths[`${base}/records/{id}`] = {
    get: {
      tags: tag,
      operationId: `view_${name}`,
      summary: `View a ${name} record`,
      ...ruleNote(collection.viewRule),
      parameters: [ID_PARAM, QUERY.expand, QUERY.fields],
      responses: { '200': answer('The record.', ref(`${name}Record`)), ...ERRORS },
    },
    ...(isViewCollection(collection)
      ? {}
      : {
          patch: {
            tags: tag,
            operationId: `update_${name}`,
            summary: `Update a ${name} record`,
            ...ruleNote(collection.updateRule),
            parameters: [ID_PARAM, QUERY.expand, QUERY.fields],
            requestBody: body(collection, name, false),
            responses: { '200': answer('The updated record.', ref(`${name}Record`)), ...ERRORS },
          },
          delete: {
            tags: tag,
            operationId: `delete_${name}`,
            summary: `Delete a ${name} record`,
            ...ruleNote(collection.deleteRule),
            parameters: [ID_PARAM],
            responses: { '204': { description: 'Deleted.' }, ...ERRORS },
          },
        }),
  };
  if (isViewCollection(collection)) return;
  for (const upload of [false, true]) {
    if (upload && !collection.fields.some((field) => field.type === 'file')) continue;
    schemas[`${name}Create${upload ? 'Form' : ''}`] = bodySchema(collection, true, upload);
    schemas[`${name}Update${upload ? 'Form' : ''}`] = bodySchema(collection, false, upload);
  }
  if (!isAuthCollection(collection)) return;

  schemas[`${name}AuthResponse`] = {
    type: 'object',
    properties: { token: { type: 'string' }, record: ref(`${name}Record`), meta: { type: 'object' } },
    required: ['token', 'record'],
  };
  const auth = answer('A token and the signed-in record.', ref(`${name}AuthResponse`));
  paths[`${base}/auth-with-password`] = {
    post: {
      tags: tag,
      operationId: `authWithPassword_${name}`,
      summary: `Sign in a ${name} record with its password`,
      ...ruleNote(collection.authRule),
      parameters: view.parameters,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          properties: {
            identity: { type: 'string', description: collection.passwordAuth.identityFields.join(' or ') },
            identityField: { type: 'string', enum: collection.passwordAuth.identityFields },
            password: { type: 'string', writeOnly: true },
          },
          required: ['identity', 'password'],
        }),
      },
      responses: { '200': auth, ...ERRORS },
    },
  };
  paths[`${base}/auth-refresh`] = {
    post: {
      tags: tag,
      operationId: `authRefresh_${name}`,
      summary: `Refresh a ${name} token`,
      security: [{ token: [] }],
      parameters: view.parameters,
      responses: { '200': auth, '401': answer('Missing or invalid token.', ref('Error')), ...ERRORS },
    },
  };
  paths[`${base}/auth-methods`] = {
    get: {
      tags: tag,
      operationId: `authMethods_${name}`,
      summary: `How ${name} records can sign in`,
      security: [],
      responses: { '200': answer('The enabled sign-in methods.', { type: 'object' }) },
    },
  };
}

/**
 * An OpenAPI 3.1 document of the records API of every collection (system ones but superusers left
 * out), generated from the live schema: per collection the list/view/create/update/delete routes
 * (list/view for views; password sign-in, refresh and methods for auth collections), each with its
 * rule, and the record, list and body schemas. PocketBase has no equivalent.
 */
export function buildOpenApiDocument(collections: readonly Collection[], options: OpenApiOptions): Json {
  const paths: Json = {};
  const schemas: Json = {
    Error: {
      type: 'object',
      properties: { status: { type: 'integer' }, message: { type: 'string' }, data: { type: 'object' } },
      required: ['status', 'message', 'data'],
    },
  };
  const shown = collections
    .filter((collection) => !collection.system || collection.name === SUPERUSERS_COLLECTION_NAME)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const collection of shown) describeCollection(collection, paths, schemas);
  return {
    openapi: '3.1.0',
    info: {
      title: `${options.appName || 'Hivebase'} API`,
      version: '0.39',
      description: 'PocketBase-compatible records API, generated from the live collections.',
    },
    ...(options.appUrl ? { servers: [{ url: options.appUrl }] } : {}),
    tags: shown.map((collection) => ({ name: collection.name, description: `${collection.type} collection` })),
    security: [{ token: [] }, {}],
    paths,
    components: {
      securitySchemes: {
        token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'An auth token (as PocketBase, with or without "Bearer ").',
        },
      },
      schemas,
    },
  };
}
