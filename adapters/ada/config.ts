// The Ada adapter's section of the configuration (`ada.*`, ADA_*) and its checks: the secrets svix would
// refuse and an ordering buffer Ada would time out on are refused by `check-config` and before `run` opens
// anything, not by a stack trace once the store is open.
import type { BridgeConfig, ConfigProblem } from '../../src/config/load.js';
import { configFragment, type SettingsOf } from '../../src/config/fragment.js';
import { adaOptionsProblems, type AdaAdapterOptions } from './options.js';

export const adaSchema = {
  path: { doc: 'Route of Ada\'s conversation webhooks on the HTTP server', format: 'urlPath', default: '/webhooks/ada', env: 'ADA_WEBHOOK_PATH' },
  webhookSecrets: { doc: 'Ada (Svix) signing secrets, whsec_..., comma-separated (several during rotation)', format: 'stringList', default: [] as string[], env: 'ADA_WEBHOOK_SECRETS', sensitive: true },
  toleranceSeconds: { doc: 'Largest accepted age of a webhook\'s svix-timestamp', format: 'positiveInt', default: 300, env: 'ADA_TOLERANCE_SECONDS' },
  orderingBufferMs: { doc: 'Webhooks of one conversation are held this long and processed in payload-timestamp order', format: 'nonNegativeInt', default: 2000, env: 'ADA_ORDERING_BUFFER_MS' },
  forwardAiAgentMessages: { doc: 'Forward the Ada AI agent\'s own messages (as AGENT messages)', format: Boolean, default: false, env: 'ADA_FORWARD_AI_AGENT_MESSAGES' },
  dedupeCacheSize: { doc: 'Recent svix-ids remembered in memory to answer Svix retries at once (the store dedupes durably anyway)', format: 'positiveInt', default: 10000, env: 'ADA_DEDUPE_CACHE_SIZE' },
  conversationTtlMs: { doc: 'Per-conversation adapter state (who joined) is forgotten after this long without events', format: 'positiveInt', default: 86400000, env: 'ADA_CONVERSATION_TTL_MS' },
};

export type AdaSettings = SettingsOf<typeof adaSchema>;

declare module '../../src/config/load.js' {
  interface AdapterSettings {
    readonly ada: AdaSettings;
  }
}

/** The adapter's options from the bridge config (the option names are the keys but for the secrets). */
export function adaOptions(config: BridgeConfig): AdaAdapterOptions {
  const { webhookSecrets, ...rest } = config.ada;
  return { ...rest, secrets: webhookSecrets };
}

export const adaConfig = configFragment({
  section: 'ada',
  schema: adaSchema,
  check: (config): ConfigProblem[] =>
    adaOptionsProblems(adaOptions(config)).map(({ option, reason }) => {
      const key = option === 'secrets' ? 'webhookSecrets' : option;
      return { key: `ada.${key}`, ...(key in adaSchema ? { env: adaSchema[key as keyof typeof adaSchema].env } : {}), reason };
    }),
});
