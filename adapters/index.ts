// The adapter registry: the only place that knows every adapter. The composition root (bin/) hands it to
// the CLI; nothing in src/ imports an adapter.
import type { AdapterModule } from '../src/runtime/adapter-module.js';
import { adaModule } from './ada/module.js';
import { genesysModule } from './genesys/module.js';

export const adapterModules: readonly AdapterModule[] = [genesysModule, adaModule];
