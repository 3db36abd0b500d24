// deploy/kubernetes rendered with `kubectl kustomize` and every object checked against the Kubernetes API
// schemas (kubernetes-models; the ServiceMonitor against the Prometheus Operator's), then against what the
// bridge needs: one SQLite replica with its volume, or three PostgreSQL replicas spread over nodes.
import { adapterModules } from '../../adapters/index.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/kubernetes', import.meta.url));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.warn('SKIPPED deploy/kubernetes checks: kubectl is not installed (Debian: apt-get install -y kubectl; .ci/run installs it)');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function render(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

/** Validates one object with its model class: the API schema of its apiVersion and kind. */
async function validate(o: K8sObject): Promise<void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const path = group === 'monitoring.coreos.com' ? `@kubernetes-models/prometheus-operator/${group}/${version}/${o.kind}` : `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no model for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

const one = (objects: K8sObject[], kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

interface PodSpec {
  securityContext: Record<string, unknown>;
  containers: {
    securityContext: Record<string, unknown>;
    resources: { requests?: Record<string, string>; limits?: Record<string, string> };
    readinessProbe: { httpGet: { path: string } };
    livenessProbe: { httpGet: { path: string } };
    envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    volumeMounts: { mountPath: string }[];
  }[];
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[] } };
}
interface WorkloadSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  volumeClaimTemplates?: unknown[];
}

/** What both workloads must have: probes, a hardened non-root container, limits, the config and the Secret. */
function expectHardenedPod(objects: K8sObject[], workload: K8sObject): { spec: WorkloadSpec; config: Record<string, string> } {
  const spec = workload.spec as unknown as WorkloadSpec;
  const pod = spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
  const [c] = pod.containers;
  expect(c?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(c?.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  expect(c?.resources.limits?.memory).toBeDefined();
  expect(c?.readinessProbe.httpGet.path).toBe('/readyz');
  expect(c?.livenessProbe.httpGet.path).toBe('/livez');
  expect(c?.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/data', '/tmp']);
  expect(c?.envFrom.find((e) => e.secretRef)?.secretRef?.name).toBe('agentai-bridge-secrets');
  expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  const configName = c?.envFrom.find((e) => e.configMapRef)?.configMapRef?.name;
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configName);
  expect(config, 'the ConfigMap the pod reads').toBeDefined();
  for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(spec.template.metadata.labels[k]).toBe(v);
  return { spec, config: config?.data ?? {} };
}

/** The rendered config (with the Secret's keys) is one the bridge accepts for `run`. */
function expectRunnable(config: Record<string, string>, secrets: Record<string, string>): ReturnType<typeof loadConfig> {
  return loadConfig({ env: { ...config, AGENTAI_CLIENT_SECRET: 'from-the-secret', GENESYS_CLIENT_SECRET: 'from-the-secret', ...secrets }, live: true, modules: adapterModules });
}

/** /metrics and /status on their own port: the config sets it, the container names it, the Service carries it. */
function expectAdminPort(objects: K8sObject[], spec: WorkloadSpec, config: ReturnType<typeof loadConfig>): void {
  expect(config.http).toMatchObject({ port: 8080, adminPort: 9090 });
  const ports = (spec.template.spec.containers[0] as unknown as { ports: { name: string; containerPort: number }[] }).ports;
  expect(ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080 }), expect.objectContaining({ name: 'admin', containerPort: 9090 })]);
  const service = one(objects, 'Service').spec as { ports: { name: string; targetPort: string }[] };
  expect(service.ports.map((p) => `${p.name}->${p.targetPort}`)).toEqual(['http->http', 'admin->admin']);
}

describe.skipIf(!hasKubectl)('deploy/kubernetes', () => {
  it('base: one SQLite replica, a StatefulSet with its volume and fsGroup, valid against the API schemas', async () => {
    const objects = render(join(DEPLOY, 'base'));
    for (const o of objects) await validate(o);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Service', 'ServiceAccount', 'StatefulSet']);
    const { spec, config } = expectHardenedPod(objects, one(objects, 'StatefulSet'));
    expect(spec.replicas).toBe(1);
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    const loaded = expectRunnable(config, {});
    expect(loaded.bridge).toMatchObject({ store: 'sqlite', dataDir: '/data' });
    expectAdminPort(objects, spec, loaded);
    const service = one(objects, 'Service').spec as { selector: Record<string, string> };
    for (const [k, v] of Object.entries(service.selector)) expect(spec.template.metadata.labels[k]).toBe(v);
  });

  it('postgres overlay: three replicas of a Deployment on different nodes, a PodDisruptionBudget, no volume', async () => {
    const objects = render(join(DEPLOY, 'overlays/postgres'));
    for (const o of objects) await validate(o);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    const { spec, config } = expectHardenedPod(objects, one(objects, 'Deployment'));
    expect(spec.replicas).toBe(3);
    const [anti] = spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(anti?.topologyKey).toBe('kubernetes.io/hostname');
    for (const [k, v] of Object.entries(anti?.labelSelector.matchLabels ?? {})) expect(spec.template.metadata.labels[k]).toBe(v);
    const pdb = one(objects, 'PodDisruptionBudget').spec as { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
    expect(pdb.maxUnavailable).toBe(1);
    for (const [k, v] of Object.entries(pdb.selector.matchLabels)) expect(spec.template.metadata.labels[k]).toBe(v);
    const loaded = expectRunnable(config, { BRIDGE_POSTGRES_URL: 'postgres://bridge:pw@postgres:5432/bridge?sslmode=require' });
    expect(loaded.bridge.store).toBe('postgres');
    expect(loaded.replica).toMatchObject({ leaseTtlMs: 5000, heartbeatMs: 1000 });
    expectAdminPort(objects, spec, loaded);
  });

  it('the ServiceMonitor component scrapes /metrics on the Service port, valid against the Prometheus Operator schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    const rel = relative(dir, DEPLOY);
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${rel}/overlays/postgres\ncomponents:\n  - ${rel}/components/servicemonitor\n`,
    );
    const objects = render(dir);
    for (const o of objects) await validate(o);
    const monitor = one(objects, 'ServiceMonitor').spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    // /metrics is served on the admin port only (BRIDGE_ADMIN_PORT in the ConfigMap).
    expect(monitor.endpoints).toEqual([expect.objectContaining({ port: 'admin', path: '/metrics' })]);
    const service = one(objects, 'Service');
    for (const [k, v] of Object.entries(monitor.selector.matchLabels)) expect(service.metadata.labels?.[k]).toBe(v);
  });

  it('the schema check bites: an object that breaks the API schema is refused', async () => {
    const [deployment] = render(join(DEPLOY, 'overlays/postgres')).filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'three';
    await expect(validate(broken as unknown as K8sObject)).rejects.toThrow();
  });
});
