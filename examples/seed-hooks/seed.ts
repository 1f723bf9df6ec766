// The seed's framework-mode example in TypeScript: `hivebase serve --hooksDir examples/seed-hooks`.
import { defineExtension, requireSuperuserAuth, routes } from 'hivebase';

export default defineExtension({
  name: 'seed',
  routes: [
    // GET /api/hello for superusers only: 401 for guests, 403 for other signed-in records.
    routes.get(
      '/api/hello',
      (e) => e.json(200, { message: `Hello ${String(e.auth?.record.email ?? '')}!` }),
      requireSuperuserAuth(),
    ),
  ],
  hooks: {
    // Before a record of any collection named `posts` is created (records API, batch, dashboard):
    // an empty author becomes "anonymous". The change is validated and written with the record.
    onRecordCreate: {
      collections: ['posts'],
      handler: async (e) => {
        if (!e.record.author) e.record.author = 'anonymous';
        await e.next();
      },
    },
  },
});
