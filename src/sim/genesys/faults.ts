// Named faults of the simulated org, as `agentai-bridge demo --faults` and the tests spell them.
import type { GenesysSim } from './server.js';

export const FAULTS = ['drop', 'closing', '404', 'token', '429', 'outage', 'mute'] as const;
export type FaultName = (typeof FAULTS)[number];

export function isFault(name: string): name is FaultName {
  return (FAULTS as readonly string[]).includes(name);
}

const DESCRIPTIONS: Record<FaultName, string> = {
  drop: 'every notification socket dropped',
  closing: 'v2.system.socket_closing (maintenance) sent',
  '404': 'every channel expired (404)',
  token: 'every access token expired',
  '429': 'the next 3 API calls answered 429 (Retry-After: 1)',
  outage: 'sockets dropped and refused for 2 s',
  mute: 'sockets silent for 5 s (no heartbeats, no pongs)',
};

/** Injects the fault; returns what happened, for the timeline. */
export function injectFault(sim: GenesysSim, fault: FaultName): string {
  switch (fault) {
    case 'drop':
      sim.dropSockets();
      break;
    case 'closing':
      sim.socketClosing();
      break;
    case '404':
      sim.expireChannels();
      break;
    case 'token':
      sim.expireTokens();
      break;
    case '429':
      sim.rateLimit(3, 1);
      break;
    case 'outage':
      sim.outage(2000);
      break;
    case 'mute':
      sim.mute(5000);
      break;
  }
  return DESCRIPTIONS[fault];
}
