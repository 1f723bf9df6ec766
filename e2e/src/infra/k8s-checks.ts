import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

// What infra/k8s must hold, as pure checks over rendered manifests: `kubectl kustomize` renders,
// kubernetes-models (the Kubernetes API's OpenAPI schemas compiled to validators, shipped on
// npm, so offline) validates every object, and `policyProblems` checks what the schemas cannot:
// each service has probes, resources, an HPA, a PDB, a preStop drain and topology spread; a
// migrate Job; an SSE-safe Ingress; NetworkPolicies that let only the gateway reach services;
// Secrets referenced, never inlined.

export const SERVICE_PORTS = { gateway: 8090, collections: 8091, auth: 8092, files: 8093, realtime: 8094 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICES = Object.keys(SERVICE_PORTS) as ServiceName[];
const BACKENDS = SERVICES.filter((name) => name !== 'gateway');

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped YAML
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** `kubectl kustomize DIR`: the objects an apply would send, as parsed YAML. */
export function render(dir: string): Manifest[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('kubectl is not on PATH: the manifests are rendered with `kubectl kustomize`');
  }
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} exited ${run.status}:\n${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

const requireModel = createRequire(__filename);

/**
 * Schema errors of one object against the Kubernetes API (the version kubernetes-models 4.5
 * ships, 1.30's OpenAPI). An apiVersion/kind the API does not have is an error too.
 */
export function schemaErrors(manifest: Manifest): string[] {
  const where = `${manifest.kind}/${manifest.metadata?.name}`;
  const [group, version] = manifest.apiVersion?.includes('/')
    ? manifest.apiVersion.split('/')
    : [null, manifest.apiVersion];
  let Model: new (data: unknown) => { validate(): void };
  try {
    const module = requireModel(`kubernetes-models/${group ? `${group}/` : ''}${version}/${manifest.kind}`);
    Model = module[manifest.kind];
  } catch {
    return [`${where}: unknown apiVersion/kind ${manifest.apiVersion} ${manifest.kind}`];
  }
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  byKind(manifests, kind).find((manifest) => manifest.metadata.name === name);
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels[key] === value);

// Environment variable names whose values are credentials: they come from a Secret, never a literal.
const SECRET_ENV = /(DATABASE_URL|REDIS_URL|PASSWORD|SECRET|TOKEN|ACCESS_KEY|PRIVATE_KEY)/;

/** What a rendered overlay lacks; empty when it has everything. `allowSecrets`: the dev overlay's placeholders. */
export function policyProblems(manifests: Manifest[], options: { allowSecrets?: boolean } = {}): string[] {
  const problems: string[] = [];
  const problem = (text: string) => problems.push(text);

  for (const name of SERVICES) {
    const deployment = named(manifests, 'Deployment', name);
    if (!deployment) {
      problem(`${name}: no Deployment`);
      continue;
    }
    const labels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
    const pod = deployment.spec?.template?.spec ?? {};
    const container = pod.containers?.[0] ?? {};
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      if (!container[probe]) problem(`${name}: no ${probe}`);
    }
    if (container.readinessProbe?.httpGet?.path !== '/api/health') {
      problem(`${name}: readinessProbe does not ask GET /api/health`);
    }
    if (container.ports?.[0]?.containerPort !== SERVICE_PORTS[name])
      problem(`${name}: not on port ${SERVICE_PORTS[name]}`);
    if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) {
      problem(`${name}: no cpu and memory requests`);
    }
    if (!container.resources?.limits?.memory) problem(`${name}: no memory limit`);
    if (!container.lifecycle?.preStop) problem(`${name}: no preStop drain`);
    if (!(pod.terminationGracePeriodSeconds > 0)) problem(`${name}: no terminationGracePeriodSeconds`);
    const spread: Array<{ labelSelector?: { matchLabels?: Record<string, string> } }> =
      pod.topologySpreadConstraints ?? [];
    if (!spread.some((constraint) => selects(constraint.labelSelector?.matchLabels, labels))) {
      problem(`${name}: no topologySpreadConstraints over its own pods`);
    }
    if (pod.securityContext?.runAsNonRoot !== true) problem(`${name}: may run as root`);
    if (container.securityContext?.readOnlyRootFilesystem !== true) problem(`${name}: writable root filesystem`);
    if (deployment.spec?.replicas !== undefined) problem(`${name}: Deployment sets replicas, which its HPA owns`);

    const hpa = byKind(manifests, 'HorizontalPodAutoscaler').find(
      (candidate) =>
        candidate.spec?.scaleTargetRef?.kind === 'Deployment' && candidate.spec?.scaleTargetRef?.name === name,
    );
    if (!hpa) problem(`${name}: no HorizontalPodAutoscaler`);
    else if (!(hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas >= hpa.spec.minReplicas)) {
      problem(`${name}: HPA bounds ${hpa.spec.minReplicas}..${hpa.spec.maxReplicas}`);
    }
    const pdb = byKind(manifests, 'PodDisruptionBudget').find((candidate) =>
      selects(candidate.spec?.selector?.matchLabels, labels),
    );
    if (!pdb) problem(`${name}: no PodDisruptionBudget`);

    const service = named(manifests, 'Service', name);
    if (!service) problem(`${name}: no Service`);
    else if (name !== 'gateway' && service.spec?.clusterIP !== 'None') {
      problem(`${name}: Service is not headless (the gateway would see one address)`);
    }
  }

  // Uploads: collections writes them, files serves them, and pods share no disk: S3 from boot.
  for (const name of ['collections', 'files'] as const) {
    const container = named(manifests, 'Deployment', name)?.spec?.template?.spec?.containers?.[0] ?? {};
    const configMaps = (container.envFrom ?? [])
      .map((source: { configMapRef?: { name?: string } }) => source.configMapRef?.name)
      .map((ref: string | undefined) => byKind(manifests, 'ConfigMap').find((map) => map.metadata.name === ref));
    if (!configMaps.some((map: Manifest | undefined) => map?.data?.S3_ENABLED === 'true')) {
      problem(`${name}: uploads not in S3 (S3_ENABLED), but pods share no disk`);
    }
  }

  // The migrate Job: the CLI's `migrate` with the database Secret.
  const migrate = byKind(manifests, 'Job').find((job) =>
    (job.spec?.template?.spec?.containers ?? []).some((container: { command?: string[] }) =>
      container.command?.includes('migrate'),
    ),
  );
  if (!migrate) problem('no migrate Job');

  // Ingress: to the gateway, SSE not buffered nor cut early, uploads up to the body limit.
  const ingress = byKind(manifests, 'Ingress')[0];
  if (!ingress) problem('no Ingress');
  else {
    const annotations: Record<string, string> = ingress.metadata.annotations ?? {};
    const backends = (ingress.spec?.rules ?? []).flatMap(
      (rule: { http?: { paths?: unknown[] } }) => rule.http?.paths ?? [],
    );
    if (
      !backends.every(
        (path: { backend?: { service?: { name?: string } } }) => path.backend?.service?.name === 'gateway',
      )
    ) {
      problem('Ingress: a path goes elsewhere than the gateway');
    }
    if (annotations['nginx.ingress.kubernetes.io/proxy-buffering'] !== 'off')
      problem('Ingress: buffers responses (SSE)');
    if (!(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 600)) {
      problem('Ingress: proxy-read-timeout under 10 minutes cuts SSE streams');
    }
    if (!/^\d+[mMgG]$/.test(annotations['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '')) {
      problem('Ingress: no proxy-body-size');
    }
  }

  // NetworkPolicy: default deny, and each backend reachable from the gateway only.
  const policies = byKind(manifests, 'NetworkPolicy');
  const denyAll = policies.some(
    (policy) =>
      Object.keys(policy.spec?.podSelector ?? {}).length === 0 &&
      policy.spec?.policyTypes?.includes('Ingress') &&
      (policy.spec?.ingress ?? []).length === 0,
  );
  if (!denyAll) problem('NetworkPolicy: no default deny of ingress');
  for (const name of BACKENDS) {
    const labels = named(manifests, 'Deployment', name)?.spec?.template?.metadata?.labels ?? {};
    const gatewayLabels = named(manifests, 'Deployment', 'gateway')?.spec?.template?.metadata?.labels ?? {};
    // A source must select the gateway's pods and no other workload's.
    const others = byKind(manifests, 'Deployment')
      .filter((deployment) => deployment.metadata.name !== 'gateway')
      .map((deployment) => deployment.spec?.template?.metadata?.labels ?? {});
    const gatewayOnly = (selector: Record<string, string> | undefined) =>
      selects(selector, gatewayLabels) && !others.some((other) => selects(selector, other));
    const covering = policies.filter((policy) => selects(policy.spec?.podSelector?.matchLabels, labels));
    if (covering.length === 0) problem(`${name}: no NetworkPolicy`);
    for (const policy of covering) {
      for (const rule of policy.spec?.ingress ?? []) {
        const sources = rule.from ?? [];
        const onlyGateway =
          sources.length > 0 &&
          sources.every(
            (source: {
              podSelector?: { matchLabels?: Record<string, string> };
              namespaceSelector?: unknown;
              ipBlock?: unknown;
            }) => !source.namespaceSelector && !source.ipBlock && gatewayOnly(source.podSelector?.matchLabels),
          );
        if (!onlyGateway) problem(`${name}: NetworkPolicy ${policy.metadata.name} admits more than the gateway`);
      }
    }
  }

  // Secrets: referenced by name, never inlined.
  if (!options.allowSecrets) {
    for (const secret of byKind(manifests, 'Secret'))
      problem(`Secret ${secret.metadata.name} is inlined in the manifests`);
  }
  for (const workload of [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')]) {
    for (const container of workload.spec?.template?.spec?.containers ?? []) {
      for (const variable of container.env ?? []) {
        if (SECRET_ENV.test(variable.name) && variable.value !== undefined) {
          problem(`${workload.kind}/${workload.metadata.name}: ${variable.name} is a literal, not a Secret reference`);
        }
      }
    }
  }
  for (const configMap of byKind(manifests, 'ConfigMap')) {
    for (const key of Object.keys(configMap.data ?? {})) {
      if (SECRET_ENV.test(key)) problem(`ConfigMap ${configMap.metadata.name}: ${key} belongs in a Secret`);
    }
  }
  return problems;
}
