// Metric labels come from fixed sets, never from upstream text.
import { describe, expect, it } from 'vitest';
import { disconnectTypeLabel, MISSING_DISCONNECT_TYPE } from '../../adapters/genesys/disconnect.js';
import { BridgeMetrics, statusLabel } from '../../src/observability/metrics.js';

describe('metric labels', () => {
  it('an HTTP status is its 3-digit code, anything else other', () => {
    expect([200, 429, 503, 0, 1000, 42.5].map(statusLabel)).toEqual(['200', '429', '503', 'other', 'other', 'other']);
  });

  it('a disconnectType the bridge does not know is counted as unrecognised (or missing), never by its value', async () => {
    const m = new BridgeMetrics({ defaults: false });
    for (const raw of ['quantum.tunnel', 'a value with "quotes" and conv-1234', MISSING_DISCONNECT_TYPE]) m.unknownDisconnectTypes.inc({ value: disconnectTypeLabel(raw) });
    const values = (await m.unknownDisconnectTypes.get()).values.map((v) => [v.labels.value, v.value]);
    expect(values).toEqual([['unrecognised', 2], ['missing', 1]]);
  });

  it('the counters alerts watch exist at 0 before the first event; build info says the release', async () => {
    const m = new BridgeMetrics({ defaults: false });
    m.preset({ adapters: ['genesys'] });
    const text = await m.registry.metrics();
    expect(text).toContain('bridge_dead_letters_total{event="end",reason="max-age"} 0');
    expect(text).toContain('bridge_hook_retries_total{event="message"} 0');
    expect(text).toContain('bridge_input_malformed_total{adapter="genesys"} 0');
    expect(text).toMatch(/bridge_build_info\{version="0\.\d+\.\d+",node="\d+\.\d+\.\d+"\} 1/);
  });
});
