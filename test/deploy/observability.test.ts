// The shipped alert rules and dashboard ask for metrics a running bridge really exposes: a daemon with both
// adapters (Genesys against the simulator, Ada's webhook) is scraped before anything happened, which is when
// an alert must already see its series (a counter at 0, not missing).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { adapterModules } from '../../adapters/index.js';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { startDaemon, type RunHandle } from '../../src/cli/run.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { GenesysSim } from '../../src/sim/genesys/server.js';
import { DEMO_QUEUES, DEMO_USERS } from '../../src/sim/genesys/scenarios.js';
import { simulatedDeploymentOverrides } from '../../src/sim/simulated-deployment.js';
import { BOT, LineCollector } from '../helpers/harness.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const GENESYS = { clientId: 'obs-genesys-client', clientSecret: 'obs-genesys-secret' };

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const ruleObject = parse(readFileSync(join(DEPLOY, 'prometheus/alerts.yaml'), 'utf8')) as { spec: { groups: { name: string; rules: Rule[] }[] } };
const rules = ruleObject.spec.groups.flatMap((g) => g.rules);

const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboard.json'), 'utf8')) as unknown;
/** Every PromQL text in the dashboard: panel targets and template variable queries. */
function dashboardQueries(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) dashboardQueries(n, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'expr' || k === 'query' || k === 'definition') && typeof v === 'string') out.push(v);
      else dashboardQueries(v, out);
    }
  }
  return out;
}

const METRIC = /\b(?:bridge|process|nodejs)_[a-z0-9_]+\b/g;
/** `name{label="value", ...}` equality matchers with a literal value (not the dashboard's $variables). */
const SELECTOR = /\b((?:bridge|process|nodejs)_[a-z0-9_]+)\{([^}]*)\}/g;

interface Series {
  readonly name: string;
  readonly labels: Record<string, string>;
}
function scrape(text: string): Series[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(l);
      if (!m?.[1]) throw new Error(`not an exposition line: ${l}`);
      return { name: m[1], labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!])) };
    });
}

let sim: GenesysSim;
let fake: FakeAgentAi;
let daemon: RunHandle;
let series: Series[];

beforeAll(async () => {
  sim = await GenesysSim.start({ ...GENESYS, heartbeatMs: 200 });
  for (const u of DEMO_USERS) sim.org.addUser(u);
  for (const q of DEMO_QUEUES) sim.org.addQueue(q);
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const overrides = {
    ...simulatedDeploymentOverrides({ agentai: { url: fake.url, ...BOT }, genesys: { url: sim.url, ...GENESYS }, dataDir: mkdtempSync(join(tmpdir(), 'obs-')), speed: 1, logLevel: 'silent' }),
    'bridge.adapters': ['genesys', 'ada'],
    'ada.webhookSecrets': [makeSecret()],
  };
  const out = new LineCollector();
  const handle = await startDaemon({ env: {}, stdout: out, stderr: out, modules: adapterModules }, { signals: false, overrides });
  if (typeof handle === 'number') throw new Error(`daemon did not start: ${handle} ${out.lines.join('\n')}`);
  daemon = handle;
  expect(await handle.ready).toBe(true);
  // The socket's age gauge appears with the first frame (a heartbeat).
  const deadline = Date.now() + 10_000;
  for (;;) {
    series = scrape(await (await fetch(`http://127.0.0.1:${handle.http.port}/metrics`)).text());
    if (series.some((s) => s.name === 'bridge_ws_seconds_since_heartbeat') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);

afterAll(async () => {
  daemon.shutdown('test end');
  await daemon.done;
  await fake.close();
  await sim.close();
});

function missing(queries: readonly string[]): string[] {
  const names = new Set(series.map((s) => s.name));
  const problems: string[] = [];
  for (const q of queries) {
    for (const [name] of q.matchAll(METRIC)) if (!names.has(name)) problems.push(`${name} (in ${q})`);
    for (const m of q.matchAll(SELECTOR)) {
      const name = m[1]!;
      for (const [, label, value] of m[2]!.matchAll(/(\w+)\s*=\s*"([^"$]*)"/g)) {
        if (!series.some((s) => s.name === name && s.labels[label!] === value)) problems.push(`${name}{${label}="${value}"} (in ${q})`);
      }
    }
  }
  return problems;
}

describe('deploy/prometheus/alerts.yaml', () => {
  it('is a valid PrometheusRule, each alert with a severity and a summary', () => {
    expect(() => new PrometheusRule(ruleObject as ConstructorParameters<typeof PrometheusRule>[0]).validate()).not.toThrow();
    for (const r of rules) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['AgentAIBridgeDeadLetters', 'AgentAIBridgeCircuitOpen', 'AgentAIBridgeBacklogGrowing', 'AgentAIBridgeNotReady', 'AgentAIBridgeGenesysDisconnected', 'AgentAIBridgeGenesysStale', 'AgentAIBridgeNoLeader']));
  });

  it('uses only metrics (and label values) a running bridge exposes from the start', () => {
    expect(missing(rules.map((r) => r.expr))).toEqual([]);
  });
});

describe('deploy/grafana/dashboard.json', () => {
  it('uses only metrics (and label values) a running bridge exposes from the start', () => {
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    expect(missing(queries)).toEqual([]);
  });

  it('the check sees a metric that does not exist', () => {
    expect(missing(['rate(bridge_no_such_thing_total[5m])', 'bridge_adapter_connected{adapter="nope"}'])).toHaveLength(2);
  });
});
