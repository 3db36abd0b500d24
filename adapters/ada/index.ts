// Public surface of the Ada adapter: the daemon needs only the factory, its options and their defaults.
export { createAdaAdapter } from './adapter.js';
export { ADA_ADAPTER_DEFAULTS, type AdaAdapterOptions } from './options.js';
