import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from './support/boot-shape';

const shapes = {
  standalone: (databaseUrl: string) => bootStandalone({ databaseUrl }),
  distributed: (databaseUrl: string) => bootDistributed({ databaseUrl }),
};

describe.each(Object.keys(shapes) as (keyof typeof shapes)[])('the %s shape, through the pocketbase SDK', (shape) => {
  let database: TestDatabase;
  let running: RunningShape;
  let pb: PocketBase;

  beforeAll(async () => {
    database = await createTestDatabase();
    running = await shapes[shape](database.url);
    pb = new PocketBase(running.baseUrl);
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  it('reports healthy', async () => {
    expect(await pb.health.check()).toEqual({ message: 'API is healthy.', code: 200, data: {} });
  });

  it('answers an unknown API route with a PocketBase-shaped 404 the SDK understands', async () => {
    const error = await pb.send('/api/no-such-route', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientResponseError);
    expect((error as ClientResponseError).status).toBe(404);
    expect((error as ClientResponseError).response).toEqual({
      data: {},
      message: "The requested resource wasn't found.",
      status: 404,
    });
  });

  it('drains and exits cleanly on SIGTERM', async () => {
    const codes = await Promise.all(Object.values(running.processes).map((process) => process.stop()));
    expect(codes.every((code) => code === 0)).toBe(true);
    await expect(fetch(`${running.baseUrl}/api/health`)).rejects.toThrow();
  });
});

describe('the distributed shape with a service down', () => {
  let database: TestDatabase;
  let running: RunningShape;

  beforeAll(async () => {
    database = await createTestDatabase();
    running = await bootDistributed({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  it('turns health into a PocketBase-shaped 503 naming it, within a few seconds', async () => {
    await running.processes.files.child.kill('SIGKILL');
    const pb = new PocketBase(running.baseUrl);
    const error = await pb.health.check().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientResponseError);
    expect((error as ClientResponseError).status).toBe(503);
    expect((error as ClientResponseError).response).toMatchObject({
      status: 503,
      message: 'Unhealthy upstream: files.',
      data: { files: { code: 'upstream_unreachable' } },
    });
  });
});
