import type { Collection } from '../model/collection.model';
import { SUPERUSERS_COLLECTION_NAME } from '../model/collection.model';
import { makeField } from './make-field';
import { normalizeCollection } from './normalize-collection';

const OWNER_RULE =
  "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

const timestamps = (system: boolean) => [
  makeField('autodate', 'created', { system, onCreate: true }),
  makeField('autodate', 'updated', { system, onCreate: true, onUpdate: true }),
];
const refs = () => [
  makeField('text', 'collectionRef', { system: true, required: true }),
  makeField('text', 'recordRef', { system: true, required: true }),
];

function build(raw: Record<string, unknown>, system: boolean): Collection {
  const { collection } = normalizeCollection(raw);
  return { ...collection, system };
}

/**
 * What a fresh PocketBase database holds, in creation order: the auth helper collections,
 * `_superusers` and the default `users` auth collection.
 */
export function systemCollections(): Collection[] {
  return [
    build(
      {
        name: '_mfas',
        type: 'base',
        listRule: OWNER_RULE,
        viewRule: OWNER_RULE,
        fields: [...refs(), makeField('text', 'method', { system: true, required: true }), ...timestamps(true)],
        indexes: ['CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (`collectionRef`,`recordRef`)'],
      },
      true,
    ),
    build(
      {
        name: '_otps',
        type: 'base',
        listRule: OWNER_RULE,
        viewRule: OWNER_RULE,
        fields: [
          ...refs(),
          makeField('password', 'password', { system: true, hidden: true, required: true, cost: 8 }),
          makeField('text', 'sentTo', { system: true, hidden: true }),
          ...timestamps(true),
        ],
        indexes: ['CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (`collectionRef`, `recordRef`)'],
      },
      true,
    ),
    build(
      {
        name: '_externalAuths',
        type: 'base',
        listRule: OWNER_RULE,
        viewRule: OWNER_RULE,
        deleteRule: OWNER_RULE,
        fields: [
          ...refs(),
          makeField('text', 'provider', { system: true, required: true }),
          makeField('text', 'providerId', { system: true, required: true }),
          ...timestamps(true),
        ],
        indexes: [
          'CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (`collectionRef`, `recordRef`, `provider`)',
          'CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (`collectionRef`, `provider`, `providerId`)',
        ],
      },
      true,
    ),
    build(
      {
        name: '_authOrigins',
        type: 'base',
        listRule: OWNER_RULE,
        viewRule: OWNER_RULE,
        deleteRule: OWNER_RULE,
        fields: [...refs(), makeField('text', 'fingerprint', { system: true, required: true }), ...timestamps(true)],
        indexes: [
          'CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (`collectionRef`, `recordRef`, `fingerprint`)',
        ],
      },
      true,
    ),
    build(
      {
        name: SUPERUSERS_COLLECTION_NAME,
        type: 'auth',
        fields: [makeField('email', 'email', { system: true, required: true }), ...timestamps(true)],
        authToken: { duration: 86_400 },
      },
      true,
    ),
    build(
      {
        id: '_pb_users_auth_',
        name: 'users',
        type: 'auth',
        listRule: 'id = @request.auth.id',
        viewRule: 'id = @request.auth.id',
        createRule: '',
        updateRule: 'id = @request.auth.id',
        deleteRule: 'id = @request.auth.id',
        fields: [
          makeField('text', 'name', { max: 255 }),
          makeField('file', 'avatar', {
            maxSelect: 1,
            mimeTypes: ['image/jpeg', 'image/png', 'image/svg+xml', 'image/gif', 'image/webp'],
          }),
          ...timestamps(false),
        ],
        oauth2: { mappedFields: { id: '', name: 'name', username: '', avatarURL: 'avatar' } },
      },
      false,
    ),
  ];
}
