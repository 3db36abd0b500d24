// The config overrides that wire a daemon to the simulated Genesys org and the built-in Agent AI receiver:
// the demo's wiring, also used by tests that run the whole product the same way.
export interface SimulatedDeployment {
  /** The Agent AI receiver's URL and the bot it knows. */
  readonly agentai: { readonly url: string; readonly botId: string; readonly clientId: string; readonly clientSecret: string };
  /** The simulated org's URL and the OAuth client it accepts. */
  readonly genesys: { readonly url: string; readonly clientId: string; readonly clientSecret: string };
  readonly dataDir: string;
  /** How much faster than real time the scenarios play; the sequencer's windows shrink to match. */
  readonly speed: number;
  readonly logLevel: string;
  readonly shutdownDeadlineMs?: number;
}

export function simulatedDeploymentOverrides(d: SimulatedDeployment): Record<string, unknown> {
  return {
    'agentai.url': d.agentai.url,
    'agentai.botId': d.agentai.botId,
    'agentai.clientId': d.agentai.clientId,
    'agentai.clientSecret': d.agentai.clientSecret,
    'bridge.adapters': ['genesys'],
    'bridge.dataDir': d.dataDir,
    // The sequencer's windows shrink with the scenarios' clock, so exits classify as they would at 1×.
    'bridge.settleMs': Math.round(10_000 / d.speed),
    'bridge.redialWindowMs': Math.round(120_000 / d.speed),
    'bridge.shutdownDeadlineMs': d.shutdownDeadlineMs ?? 5000,
    'delivery.backoffBaseMs': 50,
    'delivery.backoffMaxMs': 500,
    'http.host': '127.0.0.1',
    'http.port': 0,
    'log.level': d.logLevel,
    'genesys.clientId': d.genesys.clientId,
    'genesys.clientSecret': d.genesys.clientSecret,
    'genesys.gatewayUrl': d.genesys.url,
    'genesys.queueIds': ['all'],
    'genesys.heartbeatTimeoutMs': 3000,
    'genesys.pingTimeoutMs': 1500,
    'genesys.reconnectBaseMs': 100,
    'genesys.reconnectMaxMs': 1000,
    'genesys.rolloverOverlapMs': 300,
    'genesys.reconcileMarginMs': 2000,
  };
}
