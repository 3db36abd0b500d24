// Genesys Cloud as a bridge adapter module: recorded notification frames decode through the same processor
// the live connection uses, so `replay` and the daemon turn identical frames into identical facts.
import type { AdapterModule } from '../../src/runtime/adapter-module.js';
import { GenesysFrameProcessor } from './frame-processor.js';

export const genesysModule: AdapterModule = {
  name: 'genesys',
  createFrameDecoder: ({ now, metrics }) => {
    const processor = new GenesysFrameProcessor({
      now,
      onUnknownDisconnectType: (value) => metrics.unknownDisconnectTypes.inc({ value }),
    });
    return {
      decode(text) {
        const result = processor.process(text);
        return { facts: result.facts, warnings: result.warnings, ...(result.frameTime !== undefined ? { time: result.frameTime } : {}) };
      },
    };
  },
};
