import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The auth service's loopback OpenID Connect server (oidc-provider), self-contained: reused as is.
import { type OidcServer, startOidcServer } from '@hivebase/auth/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthFixture, SHAPE_NAMES, startAuthFixture } from './support/auth-fixture';
import { enableOidcSignIn } from './support/oidc';

// The identity provider and its avatar host are on loopback, which sign-up refuses by default
// (docs/files.md); every process of both shapes reads this.
process.env.HB_OAUTH2_AVATAR_ALLOW_PRIVATE = 'true';
// The auth process stores the avatar, the files process serves it: one directory for both.
const storageDir = mkdtempSync(join(tmpdir(), 'hb-e2e-avatars-'));
process.env.HB_STORAGE_DIR = storageDir;
afterAll(() => rm(storageDir, { recursive: true, force: true }));

describe.each(SHAPE_NAMES)('OAuth2 sign-up stores the provider avatar (%s)', (shape) => {
  let fixture: AuthFixture;
  let idp: OidcServer;
  let avatars: Server;
  let avatar: Buffer;
  let avatarBase = '';

  beforeAll(async () => {
    avatar = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
    avatars = createServer((request, response) => {
      if (request.url === '/u/carol/face.png') return void response.end(avatar);
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => avatars.listen(0, '127.0.0.1', resolve));
    avatarBase = `http://127.0.0.1:${(avatars.address() as AddressInfo).port}`;
    idp = await startOidcServer();
    idp.accounts.set('carol', {
      email: 'carol@example.com',
      emailVerified: true,
      name: 'Carol',
      picture: `${avatarBase}/u/carol/face.png`,
    });
    idp.accounts.set('dave', {
      email: 'dave@example.com',
      emailVerified: true,
      picture: `${avatarBase}/gone.png`,
    });
    fixture = await startAuthFixture(shape);
    await enableOidcSignIn(fixture.root, fixture.client(), idp);
  }, 180_000);

  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
    await new Promise<void>((resolve) => (avatars ? avatars.close(() => resolve()) : resolve()));
  });

  async function signUp(accountId: string) {
    const pb = fixture.client();
    const methods = await pb.collection('users').listAuthMethods();
    const provider = methods.oauth2.providers.find((candidate) => candidate.name === 'oidc');
    if (!provider) throw new Error('no oidc provider in auth-methods');
    const { code } = await idp.authorize(provider.authURL, accountId);
    return pb.collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, idp.redirectURL);
  }

  it("downloads the avatar into the users' avatar file field, served back byte for byte", async () => {
    const { record } = await signUp('carol');
    expect(record.avatar).toMatch(/^face_[a-z0-9]{10}\.png$/);
    const url = fixture.root.files.getURL(record, record.avatar);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(avatar)).toBe(true);
  });

  it('signs up without an avatar when the download fails', async () => {
    const { record } = await signUp('dave');
    expect(record).toMatchObject({ email: 'dave@example.com', avatar: '' });
  });
});

describe('OAuth2 sign-up when the avatar cannot be stored (standalone)', () => {
  let fixture: AuthFixture;
  let idp: OidcServer;
  let avatars: Server;

  beforeAll(async () => {
    avatars = createServer((_request, response) => void response.end(Buffer.from('GIF89a')));
    await new Promise<void>((resolve) => avatars.listen(0, '127.0.0.1', resolve));
    idp = await startOidcServer();
    idp.accounts.set('erin', {
      email: 'erin@example.com',
      emailVerified: true,
      picture: `http://127.0.0.1:${(avatars.address() as AddressInfo).port}/erin.gif`,
    });
    // Local storage that cannot be written (a file where its directory should be), as a
    // process without write access to the storage would see it.
    const notADirectory = join(storageDir, 'not-a-directory');
    writeFileSync(notADirectory, 'x');
    process.env.HB_STORAGE_DIR = notADirectory;
    try {
      fixture = await startAuthFixture('standalone');
    } finally {
      process.env.HB_STORAGE_DIR = storageDir;
    }
    await enableOidcSignIn(fixture.root, fixture.client(), idp);
  }, 180_000);

  afterAll(async () => {
    await fixture?.stop();
    await idp?.close();
    await new Promise<void>((resolve) => (avatars ? avatars.close(() => resolve()) : resolve()));
  });

  it('signs up without the avatar instead of failing', async () => {
    const pb = fixture.client();
    const methods = await pb.collection('users').listAuthMethods();
    const provider = methods.oauth2.providers.find((candidate) => candidate.name === 'oidc');
    if (!provider) throw new Error('no oidc provider in auth-methods');
    const { code } = await idp.authorize(provider.authURL, 'erin');
    const { record, meta } = await pb
      .collection('users')
      .authWithOAuth2Code('oidc', code, provider.codeVerifier, idp.redirectURL);
    expect(meta?.isNew).toBe(true);
    expect(record).toMatchObject({ email: 'erin@example.com', avatar: '', verified: true });
  });
});
