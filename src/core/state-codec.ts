// The stored form of a conversation's state (version 2): short keys, and the values most conversations hold
// (no early messages, the customer still there, an empty leg map) left out. An open idle conversation is
// mostly this row, and the verbose form of version 1 was ~460 bytes of it (goal 6: 1 KB of SQLite per open
// conversation). The decoder accepts long keys too, so a verbose document (version 1, or a state written by
// hand or by a test) reads the same; unknown keys pass through to the schema, which rejects them.

type Doc = Record<string, unknown>;
type Keys = Readonly<Record<string, string>>;

const TOP: Keys = {
  phase: 'p',
  experience: 'x',
  language: 'lg',
  active: 'a',
  pendingExit: 'pe',
  lastAgent: 'la',
  dropped: 'd',
  customerDroppedAt: 'cd',
  customerGone: 'cg',
  customer: 'c',
  platforms: 'pf',
  legs: 'l',
  earlyMessages: 'em',
  wakeAt: 'w',
  closedAt: 'ca',
};
const AGENT: Keys = { identity: 'i', name: 'n', email: 'e', queueId: 'q', queueName: 'qn' };
const ACTIVE: Keys = { agent: 'g', legs: 'l' };
const EXIT: Keys = { agent: 'g', reason: 'r', deadline: 'dl' };
const CUSTOMER: Keys = { address: 'a', externalContactId: 'e' };
const MESSAGE: Keys = { author: 'au', text: 't', messageId: 'm', agentIdentity: 'ai', textRef: 'tr' };
const LEG_SHORT: Keys = { joined: 'j', left: 'l' };

const isDoc = (x: unknown): x is Doc => typeof x === 'object' && x !== null && !Array.isArray(x);

function invert(keys: Keys): Keys {
  return Object.fromEntries(Object.entries(keys).map(([long, short]) => [short, long]));
}
const LONG = { top: invert(TOP), agent: invert(AGENT), active: invert(ACTIVE), exit: invert(EXIT), customer: invert(CUSTOMER), message: invert(MESSAGE), leg: invert(LEG_SHORT) };

function rename(doc: unknown, keys: Keys): unknown {
  if (!isDoc(doc)) return doc;
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) out[keys[k] ?? k] = v;
  return out;
}

function mapValues(doc: unknown, f: (v: unknown) => unknown): unknown {
  if (!isDoc(doc)) return doc;
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, f(v)]));
}

const mapArray = (xs: unknown, f: (x: unknown) => unknown): unknown => (Array.isArray(xs) ? xs.map(f) : xs);

/** The compact JSON of a state (any object of ConversationState's shape). */
export function encodeState(state: object): string {
  const s: Doc = { ...state };
  const out: Doc = { v: 2 };
  for (const [long, value] of Object.entries(s)) {
    if (long === 'v' || value === undefined) continue;
    if (long === 'customerGone' && value === false) continue;
    if ((long === 'active' || long === 'earlyMessages') && Array.isArray(value) && value.length === 0) continue;
    if ((long === 'platforms' || long === 'legs') && isDoc(value) && Object.keys(value).length === 0) continue;
    out[TOP[long] ?? long] = encodeField(long, value);
  }
  return JSON.stringify(out);
}

function encodeField(long: string, value: unknown): unknown {
  switch (long) {
    case 'active':
      return mapArray(value, (a) => rename(isDoc(a) ? { ...a, agent: rename(a.agent, AGENT) } : a, ACTIVE));
    case 'pendingExit':
      return rename(isDoc(value) ? { ...value, agent: rename(value.agent, AGENT) } : value, EXIT);
    case 'lastAgent':
      return rename(value, AGENT);
    case 'customer':
      return rename(value, CUSTOMER);
    // {ended: false} → 0, {ended: true} → 1.
    case 'platforms':
      return mapValues(value, (p) => (isDoc(p) && typeof p.ended === 'boolean' && Object.keys(p).length === 1 ? (p.ended ? 1 : 0) : p));
    case 'legs':
      return mapValues(value, (l) => (typeof l === 'string' ? (LEG_SHORT[l] ?? l) : l));
    case 'earlyMessages':
      return mapArray(value, (m) => rename(m, MESSAGE));
    default:
      return value;
  }
}

/** The verbose document (ConversationState's keys, defaults filled in) of a stored state of either form. */
export function decodeState(doc: Doc): Doc {
  const out: Doc = { customerGone: false, active: [], platforms: {}, legs: {}, earlyMessages: [] };
  for (const [key, value] of Object.entries(doc)) {
    const long = LONG.top[key] ?? key;
    out[long] = decodeField(long, value);
  }
  return out;
}

function decodeField(long: string, value: unknown): unknown {
  switch (long) {
    case 'active':
      return mapArray(value, (a) => {
        const r = rename(a, LONG.active);
        return isDoc(r) ? { ...r, agent: rename(r.agent, LONG.agent) } : r;
      });
    case 'pendingExit': {
      const r = rename(value, LONG.exit);
      return isDoc(r) ? { ...r, agent: rename(r.agent, LONG.agent) } : r;
    }
    case 'lastAgent':
      return rename(value, LONG.agent);
    case 'customer':
      return rename(value, LONG.customer);
    case 'platforms':
      return mapValues(value, (p) => (p === 0 || p === 1 ? { ended: p === 1 } : p));
    case 'legs':
      return mapValues(value, (l) => (typeof l === 'string' ? (LONG.leg[l] ?? l) : l));
    case 'earlyMessages':
      return mapArray(value, (m) => rename(m, LONG.message));
    default:
      return value;
  }
}
