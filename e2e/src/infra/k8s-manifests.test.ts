import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Manifest, policyProblems, render, SERVICES, schemaErrors } from './k8s-checks';

// infra/k8s, rendered as `kubectl apply -k` would send it, validated offline against the
// Kubernetes API's schemas and against what Hivebase needs of it (k8s-checks.ts). The last block
// breaks a copy of the manifests to show that these tests fail when they should.

const k8s = path.resolve(__dirname, '../../../infra/k8s');
const TREES = ['base', 'overlays/dev', 'overlays/prod'] as const;

const rendered = new Map<string, Manifest[]>();
const renderedOf = (tree: string): Manifest[] => {
  if (!rendered.has(tree)) rendered.set(tree, render(path.join(k8s, tree)));
  return rendered.get(tree) as Manifest[];
};

describe.each(TREES)('infra/k8s/%s', (tree) => {
  it('renders with kubectl kustomize', () => {
    expect(renderedOf(tree).length).toBeGreaterThan(0);
  });

  it("validates against the Kubernetes API's schemas", () => {
    expect(renderedOf(tree).flatMap(schemaErrors)).toEqual([]);
  });

  it('gives every service probes, resources, an HPA, a PDB, a preStop drain and topology spread; has the migrate Job, the Ingress and the NetworkPolicies; inlines no Secret', () => {
    // The dev overlay brings throwaway Postgres, Redis and S3, with placeholder Secrets for them.
    expect(policyProblems(renderedOf(tree), { allowSecrets: tree === 'overlays/dev' })).toEqual([]);
  });
});

describe('overlays', () => {
  it('prod runs at least two pods of each service, dev at most two', () => {
    const hpas = (tree: string) => renderedOf(tree).filter((manifest) => manifest.kind === 'HorizontalPodAutoscaler');
    for (const hpa of hpas('overlays/prod')) expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    for (const hpa of hpas('overlays/dev')) expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(2);
    expect(hpas('overlays/prod')).toHaveLength(SERVICES.length);
  });

  it('dev wires its throwaway Postgres to the same password as DATABASE_URL, through Secrets', () => {
    const manifests = renderedOf('overlays/dev');
    const secret = (name: string) => manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name);
    const postgres = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'postgres');
    const variable = postgres?.spec.template.spec.containers[0].env.find(
      (env: { name: string }) => env.name === 'POSTGRES_PASSWORD',
    );
    const ref = variable?.valueFrom?.secretKeyRef;
    const password = secret(ref?.name)?.stringData?.[ref?.key];
    expect(password).toBeTruthy();
    expect(secret('hivebase-secrets')?.stringData?.DATABASE_URL).toContain(`:${password}@postgres:5432/`);
  });

  it('every image is a Hivebase image with a pinned tag (no :latest, no untagged)', () => {
    for (const tree of ['overlays/dev', 'overlays/prod']) {
      const images = renderedOf(tree)
        .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
        .filter(
          (m) => m.metadata.labels?.['app.kubernetes.io/part-of'] === 'hivebase' && m.metadata.name !== 'postgres',
        )
        .flatMap((m) => m.spec.template.spec.containers.map((container: { image: string }) => container.image))
        .filter((image: string) => image.startsWith('hivebase/'));
      expect(images.length).toBeGreaterThanOrEqual(SERVICES.length + 1);
      for (const image of images) expect(image).toMatch(/^hivebase\/[a-z]+:(local|\d+\.\d+\.\d+)$/);
    }
  });
});

describe('the checks fail on broken manifests', () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of infra/k8s with `edit` applied to one file, rendered (prod overlay). */
  function renderBroken(file: string, edit: (text: string) => string): Manifest[] {
    const dir = mkdtempSync(path.join(tmpdir(), 'hb-k8s-'));
    copies.push(dir);
    cpSync(k8s, dir, { recursive: true });
    const target = path.join(dir, file);
    const before = readFileSync(target, 'utf8');
    const after = edit(before);
    expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
    writeFileSync(target, after);
    return render(path.join(dir, 'overlays/prod'));
  }

  it('a field of the wrong type fails schema validation', () => {
    const manifests = renderBroken('base/collections.yaml', (text) =>
      text.replace('terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: thirty'),
    );
    expect(manifests.flatMap(schemaErrors).join('\n')).toMatch(
      /Deployment\/collections: .*terminationGracePeriodSeconds/,
    );
  });

  it('a probe without its port fails schema validation', () => {
    const manifests = renderBroken('base/auth.yaml', (text) =>
      text.replace(/(readinessProbe:\n\s+httpGet:\n\s+path: \/api\/health\n)\s+port: http\n/, '$1'),
    );
    expect(manifests.flatMap(schemaErrors).join('\n')).toMatch(/Deployment\/auth: .*port/);
  });

  it('a kind the API does not have fails schema validation', () => {
    const manifests = renderBroken('base/files.yaml', (text) =>
      text.replace('kind: PodDisruptionBudget', 'kind: PodDisruptionBudgett'),
    );
    expect(manifests.flatMap(schemaErrors).join('\n')).toContain(
      'unknown apiVersion/kind policy/v1 PodDisruptionBudgett',
    );
  });

  it('a service without a liveness probe fails', () => {
    const manifests = renderBroken('base/realtime.yaml', (text) =>
      text.replace('livenessProbe:', 'livenessProbeRemoved:'),
    );
    expect(policyProblems(manifests)).toContain('realtime: no livenessProbe');
  });

  it('a service without its HPA or PDB fails', () => {
    const manifests = renderBroken('base/files.yaml', (text) =>
      text.replace(/---\napiVersion: autoscaling\/v2\n[\s\S]*$/, '\n'),
    );
    const problems = policyProblems(manifests);
    expect(problems).toContain('files: no HorizontalPodAutoscaler');
    expect(problems).toContain('files: no PodDisruptionBudget');
  });

  it('a literal DATABASE_URL or a Secret in the manifests fails', () => {
    const manifests = renderBroken('base/gateway.yaml', (text) =>
      text.replace(
        '            - name: HB_HTTP\n',
        '            - name: DATABASE_URL\n              value: postgres://u:p@db/hivebase\n            - name: HB_HTTP\n',
      ),
    );
    expect(policyProblems(manifests)).toContain(
      'Deployment/gateway: DATABASE_URL is a literal, not a Secret reference',
    );
    const withSecret = renderBroken(
      'overlays/prod/kustomization.yaml',
      (text) =>
        `${text}\nsecretGenerator:\n  - name: hivebase-secrets\n    literals: [DATABASE_URL=postgres://u:p@db/hivebase]\n`,
    );
    expect(policyProblems(withSecret).join('\n')).toMatch(/Secret hivebase-secrets-\w+ is inlined in the manifests/);
  });

  it('uploads on pod-local disk fail', () => {
    const manifests = renderBroken('base/kustomization.yaml', (text) =>
      text.replace('S3_ENABLED=true', 'S3_ENABLED=false'),
    );
    expect(policyProblems(manifests)).toContain('files: uploads not in S3 (S3_ENABLED), but pods share no disk');
  });

  it('a service reachable from any pod fails the NetworkPolicy check', () => {
    const manifests = renderBroken('base/network-policy.yaml', (text) =>
      text.replace(
        /(name: collections\n[\s\S]*?- from:\n\s+- podSelector:\n\s+matchLabels:\n\s+)app\.kubernetes\.io\/name: gateway/,
        '$1app.kubernetes.io/part-of: hivebase',
      ),
    );
    expect(policyProblems(manifests)).toContain('collections: NetworkPolicy collections admits more than the gateway');
  });
});
