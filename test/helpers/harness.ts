// A whole bridge in-process against the fake Agent AI: real config loading, store (a temp dir), pipeline,
// dispatcher, client and logger, with every log line captured for assertions.
import { adapterModules } from '../../adapters/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type BridgeConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { Bridge } from '../../src/runtime/bridge.js';
import type { OutboxCompleter } from '../../src/core/adapter.js';
import { secretValues } from '../../src/cli/setup.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';

export const BOT = { botId: 'st-test-bot', clientId: 'cs-test-client', clientSecret: 'sekret-0123456789abcdef' };

export function bridgeEnv(fakeUrl: string, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AGENTAI_URL: fakeUrl,
    AGENTAI_BOT_ID: BOT.botId,
    AGENTAI_CLIENT_ID: BOT.clientId,
    AGENTAI_CLIENT_SECRET: BOT.clientSecret,
    BRIDGE_DATA_DIR: dataDir,
    DELIVERY_BACKOFF_BASE_MS: '20',
    DELIVERY_BACKOFF_MAX_MS: '200',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

export class LineCollector extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    done();
  }
}

export interface Harness {
  readonly fake: FakeAgentAi;
  readonly bridge: Bridge;
  readonly config: BridgeConfig;
  readonly logs: LineCollector;
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Per source: what fills in hook bodies at send time (may be filled after the start). */
  readonly completers?: ReadonlyMap<string, OutboxCompleter>;
  /** An existing data dir (a restart); it is left in place by close(). */
  readonly dataDir?: string;
  /** An existing fake Agent AI (a restart); it is left running by close(). */
  readonly fake?: FakeAgentAi;
}

export async function startHarness(extraEnv: NodeJS.ProcessEnv = {}, options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.fake ?? (await FakeAgentAi.start({ bots: [BOT] }));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bridge-'));
  const config = loadConfig({ env: bridgeEnv(fake.url, dataDir, extraEnv), modules: adapterModules });
  const logs = new LineCollector();
  const logger = createLogger({ level: 'debug', secrets: secretValues(config, adapterModules), destination: logs, pretty: false });
  const bridge = new Bridge({ config, logger, tickIntervalMs: 20, ...(options.completers ? { completers: options.completers } : {}) });
  await bridge.start();
  return {
    fake,
    bridge,
    config,
    logs,
    dataDir,
    async close() {
      await bridge.stop(1000);
      if (!options.fake) await fake.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
