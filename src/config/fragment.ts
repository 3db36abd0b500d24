// An adapter's share of the configuration: its section of keys (JSON key, env var, default, format) and the
// checks convict's per-key formats cannot express. Each adapter declares its own; the composition root hands
// them to loadConfig with the adapter modules, so core never names an adapter and `check-config` and `run`
// refuse the same configurations before anything is opened.
import type convict from 'convict';
import type { BridgeConfig, ConfigProblem } from './load.js';

export interface ConfigFragment<T = unknown> {
  /** Top-level key of the section, in the JSON file (BRIDGE_CONFIG) and in the loaded config. */
  readonly section: string;
  readonly schema: convict.Schema<T>;
  /**
   * Problems of the section when its adapter is in BRIDGE_ADAPTERS (relations between keys, values the
   * platform would refuse). `live`: `run` and `check-config`, which also need what only the live adapter uses.
   * Not called when convict already refused a key of the section.
   */
  check?(config: BridgeConfig, live: boolean): ConfigProblem[];
}

/** What loadConfig needs of an adapter module: its name (a BRIDGE_ADAPTERS value) and its fragment. */
export interface ConfigModule {
  readonly name: string;
  readonly config?: ConfigFragment;
}

/** The settings convict produces for a fragment's schema (the type adapters merge into BridgeConfig). */
export type SettingsOf<S> = S extends convict.Schema<infer T> ? T : never;

/** Keeps the section's settings type (inferred from its schema) on the fragment. */
export function configFragment<T>(fragment: ConfigFragment<T>): ConfigFragment<T> {
  return fragment;
}
