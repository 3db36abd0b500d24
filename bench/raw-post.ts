// The reference of goals 1 and 5, run as its own process: undici alone POSTs the given bodies to the receiver
// over the same number of keep-alive connections and with the same cap on calls in flight as the bridge,
// with one cached JWT (as the bridge mints them). No store, no sequencer: the rate the network path allows.
// argv: URL BODIES_FILE CONNECTIONS MAX_IN_FLIGHT; prints one JSON line {ms, ok, failed}.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { TokenMinter } from '../src/agentai/jwt.js';
import { DEFAULT_HOOKS_PATH } from '../src/agentai/client.js';
import { BOT } from './common.js';

const [url = '', file = '', connections = '16', maxInFlight = '32'] = process.argv.slice(2);
const bodies = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const pool = new Pool(url, { connections: Number(connections) });
const minter = new TokenMinter({ ttlSeconds: 3600, jti: false });
const path = `${DEFAULT_HOOKS_PATH}/${encodeURIComponent(BOT.botId)}`;

let next = 0;
let ok = 0;
let failed = 0;
const t0 = performance.now();
async function worker(): Promise<void> {
  while (next < bodies.length) {
    const body = bodies[next++] ?? '';
    const token = await minter.token(BOT.clientId, BOT.clientSecret);
    const res = await pool.request({ method: 'POST', path, headers: { token, 'content-type': 'application/json' }, body });
    await res.body.text();
    if (res.statusCode === 200) ok += 1;
    else failed += 1;
  }
}
await Promise.all(Array.from({ length: Number(maxInFlight) }, worker));
const ms = performance.now() - t0;
await pool.close();
process.stdout.write(`${JSON.stringify({ ms, ok, failed })}\n`);
