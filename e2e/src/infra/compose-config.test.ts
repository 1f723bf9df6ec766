import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

// Checks the deployment files against what the services need: docker-compose.yml through the
// real `docker-compose config` (Debian's Compose v1, which CI installs), infra/Dockerfile's
// stages, and the Kubernetes manifests under infra/k8s.

// `__dirname`, not import.meta.dirname: the workspace compiles as CommonJS (tsc rejects import.meta).
const root = path.resolve(__dirname, '../../..');

const APP_PORTS = { gateway: 8090, collections: 8091, auth: 8092, files: 8093, realtime: 8094 } as const;
type AppService = keyof typeof APP_PORTS;
const APP_SERVICES = Object.keys(APP_PORTS) as AppService[];

const BACKING_IMAGES = {
  postgres: 'postgres:16-bookworm',
  redis: 'redis:7-bookworm',
  minio: 'minio/minio:latest',
} as const;

// Who waits for whom, on top of Postgres and Redis for every app service.
const EXTRA_DEPENDENCIES: Record<AppService, string[]> = {
  gateway: ['collections', 'auth', 'files', 'realtime'],
  collections: ['minio'],
  auth: [],
  files: ['minio'],
  realtime: [],
};
const S3_USERS: AppService[] = ['collections', 'files'];

interface ComposePort {
  target: number | string;
  published?: number | string;
}

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  ports?: Array<string | ComposePort>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | null>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  read_only?: boolean;
  tmpfs?: string | string[];
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `docker-compose config`: the file as Compose itself reads it (interpolated, merged, normalised). */
function composeConfigOrThrow(): ComposeFile {
  // Only the file decides: no stray COMPOSE_* settings from the caller's environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMPOSE_')));
  const run = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'docker-compose is not on PATH. Install it: apt-get install -y --no-install-recommends docker-compose',
    );
  }
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`docker-compose config exited ${run.status}:\n${run.stderr}`);
  }
  return parse(run.stdout) as ComposeFile;
}

function portsOf(service: ComposeService): Array<{ target: number; published: number | null }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') {
      const parts = port.split(':');
      const target = Number(parts.at(-1)?.split('/')[0]);
      return { target, published: parts.length > 1 ? Number(parts.at(-2)) : null };
    }
    return { target: Number(port.target), published: port.published === undefined ? null : Number(port.published) };
  });
}

function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, { condition }]) => [name, condition]));
}

function healthcheckCommand(service: ComposeService): string {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
}

describe('docker-compose.yml', () => {
  // Run once; without docker-compose (or with a file it rejects) every test below fails with why.
  let loaded: { file: ComposeFile } | { error: unknown } | undefined;
  const compose = (): ComposeFile => {
    if (!loaded) {
      try {
        loaded = { file: composeConfigOrThrow() };
      } catch (error) {
        loaded = { error };
      }
    }
    if ('error' in loaded) throw loaded.error;
    return loaded.file;
  };

  it('is accepted by `docker-compose config`', () => {
    expect(Object.keys(compose().services).length).toBeGreaterThan(0);
  });

  it('runs the five services and their three backing services, nothing else', () => {
    expect(Object.keys(compose().services).sort()).toEqual([...APP_SERVICES, ...Object.keys(BACKING_IMAGES)].sort());
  });

  it('publishes only the gateway, on 8090', () => {
    const published = Object.entries(compose().services)
      .filter(([, service]) => portsOf(service).length > 0)
      .map(([name]) => name);
    expect(published).toEqual(['gateway']);
    expect(portsOf(compose().services.gateway)).toEqual([{ target: 8090, published: 8090 }]);
  });

  it.each(Object.entries(BACKING_IMAGES))('runs %s from the image %s', (name, image) => {
    expect(compose().services[name].image).toBe(image);
    expect(compose().services[name].build).toBeUndefined();
  });

  it.each(APP_SERVICES)('builds %s from infra/Dockerfile, its own target', (name) => {
    const { build, image } = compose().services[name];
    expect(build).toBeDefined();
    expect(path.resolve(root, build?.context ?? '')).toBe(root);
    expect(build?.dockerfile).toBe('infra/Dockerfile');
    expect(build?.target).toBe(name);
    expect(image).toMatch(new RegExp(`^hivebase/${name}(:|$)`));
  });

  it.each([...APP_SERVICES, ...Object.keys(BACKING_IMAGES)])('%s has a healthcheck', (name) => {
    const service = compose().services[name];
    expect(service.healthcheck?.disable ?? false).toBe(false);
    expect(healthcheckCommand(service)).not.toBe('');
  });

  it.each(APP_SERVICES)('%s is healthy when its own /api/health answers (node only: no curl)', (name) => {
    const command = healthcheckCommand(compose().services[name]);
    expect(command).toContain(`http://127.0.0.1:${APP_PORTS[name]}/api/health`);
    expect(command).toMatch(/^CMD node -e /);
  });

  it.each(APP_SERVICES)('%s starts only once what it needs is healthy', (name) => {
    const dependencies = dependenciesOf(compose().services[name]);
    expect(Object.keys(dependencies).sort()).toEqual(['postgres', 'redis', ...EXTRA_DEPENDENCIES[name]].sort());
    for (const condition of Object.values(dependencies)) expect(condition).toBe('service_healthy');
  });

  it.each(APP_SERVICES)('%s runs distributed, listening on all interfaces on its port', (name) => {
    const env = compose().services[name].environment ?? {};
    expect(env.HB_MODE).toBe('distributed');
    expect(env.HB_HTTP).toBe(`0.0.0.0:${APP_PORTS[name]}`);
    expect(String(env.DATABASE_URL)).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/\w+$/);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    if (S3_USERS.includes(name)) {
      expect(env.S3_ENDPOINT).toBe('http://minio:9000');
      for (const key of ['S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET']) expect(env[key]).toBeTruthy();
    } else {
      expect(env.S3_ENDPOINT).toBeUndefined();
    }
  });

  it('points the gateway at each upstream by its service name', () => {
    const env = compose().services.gateway.environment ?? {};
    for (const upstream of ['collections', 'auth', 'files', 'realtime'] as const) {
      expect(env[`HB_UPSTREAM_${upstream.toUpperCase()}`]).toBe(`http://${upstream}:${APP_PORTS[upstream]}`);
    }
  });

  it.each([
    ['postgres', '/var/lib/postgresql/data'],
    ['minio', '/data'],
    // HB_BACKUPS_DIR: every collections replica lists and writes the same backups (docs/backups.md).
    ['collections', '/app/hb_data/backups'],
  ])('keeps %s data in a named volume', (name, target) => {
    const mounts = (compose().services[name].volumes ?? []).map((volume) =>
      typeof volume === 'string' ? { source: volume.split(':')[0], target: volume.split(':')[1] } : volume,
    );
    const mount = mounts.find((volume) => volume.target === target);
    expect(mount?.source).toBeDefined();
    expect(Object.keys(compose().volumes ?? {})).toContain(mount?.source);
  });
});

describe('docker-compose.yml runs the app services hardened', () => {
  let file: ComposeFile | undefined;
  const compose = (): ComposeFile => {
    file ??= composeConfigOrThrow();
    return file;
  };

  it.each(APP_SERVICES)('%s: read-only root filesystem, /tmp in memory', (name) => {
    const service = compose().services[name];
    expect(service.read_only).toBe(true);
    expect([service.tmpfs ?? []].flat()).toContain('/tmp');
  });

  it.each(APP_SERVICES)('%s: drains and closes inside its stop grace period', (name) => {
    const service = compose().services[name];
    const env = service.environment ?? {};
    const graceMs = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1]) * 1000;
    expect(Number(env.HB_SHUTDOWN_DRAIN_MS)).toBeGreaterThan(0);
    expect(Number(env.HB_SHUTDOWN_DRAIN_MS) + Number(env.HB_SHUTDOWN_TIMEOUT_MS)).toBeLessThan(graceMs);
  });

  it('collections keeps its backups where HB_BACKUPS_DIR says', () => {
    expect(compose().services.collections.environment?.HB_BACKUPS_DIR).toBe('/app/hb_data/backups');
  });

  it('collections (writes uploads) and files (serves them) share one storage volume', () => {
    const storage = (name: string) =>
      (compose().services[name].volumes ?? [])
        .map((volume) =>
          typeof volume === 'string' ? { source: volume.split(':')[0], target: volume.split(':')[1] } : volume,
        )
        .find((volume) => volume.target === compose().services[name].environment?.HB_STORAGE_DIR);
    expect(storage('collections')?.source).toBeDefined();
    expect(storage('files')?.source).toBe(storage('collections')?.source);
    expect(Object.keys(compose().volumes ?? {})).toContain(storage('files')?.source);
  });
});

describe('infra/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'infra/Dockerfile'), 'utf8');
  // Instructions with continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = new Map<string, { from: string; body: string[] }>();
  let current: string[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)\s+AS\s+(\S+)$/i.exec(line);
    if (from) {
      current = [];
      stages.set(from[2], { from: from[1], body: current });
    } else {
      current.push(line);
    }
  }

  it('names every stage and builds only on node:20-bookworm-slim', () => {
    expect(instructions.filter((line) => /^FROM\s/i.test(line))).toHaveLength(stages.size);
    const external = [...stages.values()].map(({ from }) => from).filter((from) => !stages.has(from));
    expect(new Set(external)).toEqual(new Set(['node:20-bookworm-slim']));
  });

  it('installs from the lockfile: all dependencies to build, production ones to run', () => {
    expect(stages.get('deps')?.body).toContain('RUN npm ci');
    expect(stages.get('build')?.from).toBe('deps');
    expect(stages.get('runtime')?.body.join('\n')).not.toMatch(/npm (ci|install)/);
    expect(stages.get('prod-deps')?.body.join('\n')).toMatch(/npm ci --omit=dev --workspace "services\/\$service"/);
  });

  it.each(APP_SERVICES)('gives %s only its own build output and production dependencies', (name) => {
    const body = stages.get(name)?.body ?? [];
    expect(body).toContain(`COPY --from=prod-deps /deps/${name}/ ./`);
    expect(body).toContain(`COPY --from=build /out/services/${name}/ ./services/${name}/`);
    // Only the gateway serves the dashboard.
    expect(body.includes('COPY --from=build /out/admin-web/ ./admin-web/')).toBe(name === 'gateway');
    expect(body.some((line) => line.startsWith('COPY --from=build /out/ '))).toBe(false);
    const user = body.find((line) => line.startsWith('USER '));
    expect(user).toBe('USER 10001:10001');
  });

  it('runs as a non-root user in production mode, stopping on SIGTERM, with a healthcheck', () => {
    const runtime = stages.get('runtime')?.body ?? [];
    expect(runtime).toContain('ENV NODE_ENV=production');
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
    expect(runtime.some((line) => line.startsWith('HEALTHCHECK '))).toBe(true);
    for (const target of [...APP_SERVICES, 'standalone']) {
      const user = stages.get(target)?.body.find((line) => line.startsWith('USER '));
      expect(user, target).toBeDefined();
      expect(user, target).not.toMatch(/^USER (root|0)\b/);
    }
  });

  it.each(APP_SERVICES)('has a %s target running its dist/main.js on its port', (name) => {
    const stage = stages.get(name);
    expect(stage?.from).toBe('runtime');
    expect(stage?.body).toContain(`EXPOSE ${APP_PORTS[name]}`);
    expect(stage?.body.join('\n')).toContain(`HB_HTTP=0.0.0.0:${APP_PORTS[name]}`);
    expect(stage?.body).toContain(`CMD ["node", "services/${name}/dist/main.js"]`);
  });

  it('has a standalone target running `hivebase serve`', () => {
    const stage = stages.get('standalone');
    expect(stage?.from).toBe('runtime');
    expect(stage?.body).toContain('EXPOSE 8090');
    expect(stage?.body).toContain('CMD ["node", "services/standalone/dist/cli.js", "serve"]');
  });
});

describe('infra/k8s', () => {
  const k8s = path.join(root, 'infra/k8s');

  interface Manifest {
    kind?: string;
    metadata?: { name?: string };
    [key: string]: unknown;
  }

  /** Every YAML document of a file; a syntax error fails the test that reads it. */
  function manifestsIn(file: string): Manifest[] {
    return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
      expect(document.errors.map(String), file).toEqual([]);
      return document.toJS() as Manifest;
    });
  }

  const kustomizations = ['base', 'overlays/dev', 'overlays/prod'];

  it.each(kustomizations)('%s: its kustomization and every resource it lists parse', (dir) => {
    const [kustomization] = manifestsIn(path.join(k8s, dir, 'kustomization.yaml'));
    expect(kustomization.kind).toBe('Kustomization');
    const resources = (kustomization.resources ?? []) as string[];
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      const target = path.join(k8s, dir, resource);
      expect(existsSync(target), `${dir} lists ${resource}`).toBe(true);
      if (target.endsWith('.yaml')) manifestsIn(target);
      else expect(readdirSync(target)).toContain('kustomization.yaml');
    }
  });

  interface Deployment extends Manifest {
    spec: {
      template: {
        spec: {
          terminationGracePeriodSeconds?: number;
          containers: Array<{
            ports?: Array<{ containerPort: number }>;
            resources?: { requests?: Record<string, string> };
            readinessProbe?: { httpGet?: { path?: string } };
            livenessProbe?: object;
          }>;
        };
      };
    };
  }

  it.each(APP_SERVICES)('base: %s has a Deployment with probes, requests and a grace period, and a Service', (name) => {
    const manifests = manifestsIn(path.join(k8s, 'base', `${name}.yaml`));
    const deployment = manifests.find((manifest): manifest is Deployment => manifest.kind === 'Deployment');
    const service = manifests.find((manifest) => manifest.kind === 'Service');
    expect(deployment?.metadata?.name).toBe(name);
    expect(service?.metadata?.name).toBe(name);

    const pod = deployment?.spec.template.spec;
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(0);
    const container = pod?.containers[0];
    expect(container?.ports?.map((port) => port.containerPort)).toEqual([APP_PORTS[name]]);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/api/health');
    expect(container?.livenessProbe).toBeDefined();
    expect(Object.keys(container?.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
  });
});
