import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';

/** Where the dashboard is served from, as PocketBase: `/_/`. */
export const ADMIN_PATH = '/_/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Vite names everything under assets/ by content hash: a new build never reuses a name.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// index.html names the current hashes, so browsers must ask again each time.
const REVALIDATE = 'no-cache';

/**
 * The dashboard's build directory: `ADMIN_WEB_DIR` when set, else the `dist` of the
 * `@hivebase/admin-web` workspace package; `null` when neither can be found.
 */
export function adminWebDistDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ADMIN_WEB_DIR) return resolve(env.ADMIN_WEB_DIR);
  try {
    const manifest = createRequire(__filename).resolve('@hivebase/admin-web/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return null;
  }
}

/** Whether the dashboard's build is there to serve (then `serve` prints the installer link). */
export function isAdminWebBuilt(distDir: string | null = adminWebDistDir()): boolean {
  return distDir !== null && existsSync(join(distDir, 'index.html'));
}

/**
 * Serves the dashboard's static build at `/_/`: hashed assets cached for a year, `index.html`
 * revalidated, and every other path under `/_/` answered with `index.html` so deep links and
 * reloads work. Without a build it logs one line at start-up and `/_/` answers a 404 that says so.
 */
export function registerAdminStatic(fastify: FastifyInstance, distDir: string | null = adminWebDistDir()): void {
  const root = distDir ? resolve(distDir) : null;
  const built = isAdminWebBuilt(root);
  if (!built) {
    new Logger('dashboard').warn(
      `the dashboard is not built (no ${root ? join(root, 'index.html') : 'admin-web package'}); ` +
        '/_/ answers 404 until `npx nx run @hivebase/admin-web:build` runs',
    );
  }

  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    // The router ignores trailing slashes, so `/_` and `/_/` both land here: only `/_` moves,
    // so that the page's relative URLs resolve under `/_/`.
    if (request.url.split('?', 1)[0] === '/_') return reply.redirect(ADMIN_PATH, 301);
    if (!built || !root) {
      return reply.code(404).send(new ApiError(404, 'The dashboard is not built on this server.').toBody());
    }
    return sendAdminFile(root, request, reply);
  };
  fastify.get('/_', handler);
  fastify.get('/_/*', handler);
}

function sendAdminFile(root: string, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wanted = (request.params as { '*': string })['*'] ?? '';
  const file = resolve(root, `.${sep}${decodeSafely(wanted)}`);
  // Nothing outside the build directory, whatever the path says.
  const inside = file === root || file.startsWith(root + sep);
  if (inside && isFile(file)) return sendFile(reply, file, wanted.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
  // A missing hashed asset is a real 404 (an old tab after a deploy); anything else is a page route.
  if (wanted.startsWith('assets/') || !inside) {
    return reply.code(404).send(new ApiError(404).toBody());
  }
  return sendFile(reply, join(root, 'index.html'), REVALIDATE);
}

function sendFile(reply: FastifyReply, file: string, cacheControl: string): FastifyReply {
  return reply
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
    .send(createReadStream(file));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '';
  }
}
