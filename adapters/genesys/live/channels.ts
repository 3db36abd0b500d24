// The notification channels (facts §1): each "slot" is one logical channel holding a set of topics; the
// physical channel behind it changes over time. Every change to a slot runs on that slot's own queue, so a
// drop, a socket_closing, a 404 and an expiry never race each other:
// - lost socket: HEAD the channel; 200 → reconnect to the same connectUri (backoff); 404 → a new channel,
//   the same topics; then reconcile from the last frame seen (events in the gap were not replayed).
// - roll-over (24 h expiry, socket_closing, token renewal): a new channel is created, subscribed and
//   connected while the old socket still runs; the old one closes `overlapMs` later. Events seen on both are
//   deduped downstream. One roll-over at a time, so a single spare channel (of the 20 allowed) suffices.
import type { Logger } from 'pino';
import type { ChannelInfo, GenesysApi, TopicResult } from './api.js';
import { NotificationSocket, type SocketLostCause } from './socket.js';
import { Aborted, backoffMs, sleep } from './timing.js';

export interface ChannelSetOptions {
  readonly api: GenesysApi;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly perChannel: number;
  readonly heartbeatTimeoutMs: number;
  readonly pingTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly rolloverBeforeExpiryMs: number;
  readonly overlapMs: number;
  /** Each frame, with the slot it came from. */
  readonly onFrame: (slot: number, text: string) => void;
  /** A slot's socket is gone: events since `since` may be missed until its gap is reconciled. */
  readonly onBlind: (slot: number, since: number) => void;
  /** The slot is live again; events between `since` and now may have been missed. */
  readonly onGap: (since: number, why: string, slot: number) => void;
  /** A socket was (re)connected after a loss. */
  readonly onReconnect: () => void;
  /** Bumped at each token renewal: channels of an older generation belong to a dead token. */
  readonly tokenGeneration: () => number;
}

const DAY_MS = 24 * 3600_000;

interface Physical {
  readonly info: ChannelInfo;
  readonly socket: NotificationSocket;
  readonly applied: Set<string>;
  readonly createdAt: number;
  readonly generation: number;
  expiryTimer?: NodeJS.Timeout;
}

interface Slot {
  readonly index: number;
  readonly topics: Set<string>;
  current: Physical | undefined;
  chain: Promise<void>;
  /** Earliest moment events may have been missed and not yet reconciled. */
  gapSince: number | undefined;
  recoverQueued: boolean;
  /** onBlind was called and its onGap not yet. */
  blind: boolean;
  rolloverQueued: boolean;
  syncQueued: boolean;
}

export class ChannelSet {
  private readonly slots: Slot[] = [];
  private rolloverLock: Promise<void> = Promise.resolve();
  private readonly rejected = new Set<string>();
  private stopped = false;

  constructor(private readonly o: ChannelSetOptions) {}

  /** Opens one channel per topic group; fails if a channel cannot be opened (bad credentials, no network). */
  async start(groups: readonly (readonly string[])[]): Promise<void> {
    for (const group of groups) {
      const slot: Slot = { index: this.slots.length, topics: new Set(group), current: undefined, chain: Promise.resolve(), gapSince: undefined, recoverQueued: false, blind: false, rolloverQueued: false, syncQueued: false };
      this.slots.push(slot);
      slot.current = await this.openPhysical(slot);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const slot of this.slots) {
      if (slot.current) this.closePhysical(slot.current, false);
      slot.current = undefined;
    }
  }

  get connected(): boolean {
    return this.slots.length > 0 && this.slots.every((s) => s.current?.socket.open === true);
  }

  status(): Record<string, unknown> {
    return {
      channels: this.slots.map((s) => ({ id: s.current?.info.id, open: s.current?.socket.open ?? false, topics: s.topics.size })),
      lastFrameAgeMs: this.lastFrameAgeMs(),
    };
  }

  lastFrameAgeMs(): number {
    const ages = this.slots.map((s) => (s.current ? Date.now() - s.current.socket.lastFrameAt : Infinity));
    return ages.length ? Math.max(...ages) : Infinity;
  }

  hasTopic(topic: string): boolean {
    return this.slots.some((s) => s.topics.has(topic));
  }

  /** Adds a topic to the first channel with room (transcription topics, at run time). */
  addTopic(topic: string): void {
    if (this.stopped || this.hasTopic(topic) || this.rejected.has(topic)) return;
    const slot = this.slots.find((s) => s.topics.size < this.o.perChannel);
    if (!slot) {
      this.o.logger.warn({ topic, event: 'genesys.channels_full' }, 'genesys: every channel is full; topic not subscribed (raise GENESYS_TOPIC_HEADROOM)');
      return;
    }
    slot.topics.add(topic);
    this.queueSync(slot);
  }

  removeTopic(topic: string): void {
    for (const slot of this.slots) {
      if (slot.topics.delete(topic)) this.queueSync(slot);
    }
  }

  /** socket_closing or channel_gone on a slot's socket. */
  rollover(slotIndex: number, why: string): void {
    const slot = this.slots[slotIndex];
    if (slot) this.queueRollover(slot, why);
  }

  /** After a token renewal: channels bound to an older token move to new ones (already replaced ones stay). */
  rolloverAll(why: string): void {
    for (const slot of this.slots) this.queueRollover(slot, why, this.o.tokenGeneration());
  }

  /** A channel the server says is gone (`{"result":"404"}`): replace it, reconciling from its last frame. */
  channelGone(slotIndex: number): void {
    const slot = this.slots[slotIndex];
    if (!slot?.current) return;
    slot.gapSince = Math.min(slot.gapSince ?? Infinity, slot.current.socket.lastFrameAt);
    const dead = slot.current;
    this.closePhysical(dead, false);
    this.goBlind(slot);
    this.queueRecover(slot, 'channel gone (404 on the socket)');
  }

  // ------------------------------------------------------------------------------------------------------

  private enqueue(slot: Slot, op: () => Promise<void>): void {
    slot.chain = slot.chain.then(op).catch((err: unknown) => {
      if (err instanceof Aborted || this.stopped) return;
      this.o.logger.error({ err, slot: slot.index, event: 'genesys.channel_failed' }, 'genesys: channel operation failed');
    });
  }

  private queueSync(slot: Slot): void {
    if (slot.syncQueued) return;
    slot.syncQueued = true;
    this.enqueue(slot, async () => {
      slot.syncQueued = false;
      await this.sync(slot);
    });
  }

  private queueRecover(slot: Slot, why: string): void {
    if (slot.recoverQueued || this.stopped) return;
    slot.recoverQueued = true;
    this.enqueue(slot, async () => {
      slot.recoverQueued = false;
      await this.recover(slot, why);
    });
  }

  private queueRollover(slot: Slot, why: string, minGeneration?: number): void {
    if (slot.rolloverQueued || this.stopped) return;
    slot.rolloverQueued = true;
    this.enqueue(slot, async () => {
      slot.rolloverQueued = false;
      if (minGeneration !== undefined && (slot.current?.generation ?? -1) >= minGeneration) return;
      // One roll-over at a time across slots: the spare channel is shared.
      const previous = this.rolloverLock;
      let release: () => void = () => undefined;
      this.rolloverLock = new Promise((resolve) => (release = resolve));
      await previous;
      try {
        await this.roll(slot, why);
      } finally {
        release();
      }
    });
  }

  /** Brings the channel's subscriptions in line with the slot's topics: POST additions, PUT on removals. */
  private async sync(slot: Slot): Promise<void> {
    const physical = slot.current;
    if (!physical || this.stopped) return;
    const removed = [...physical.applied].filter((t) => !slot.topics.has(t));
    const added = [...slot.topics].filter((t) => !physical.applied.has(t));
    if (removed.length === 0 && added.length === 0) return;
    if (removed.length > 0) {
      const results = await this.o.api.putSubscriptions(physical.info.id, [...slot.topics]);
      this.accept(slot, physical, [...slot.topics], results, true);
    } else {
      const results = await this.o.api.postSubscriptions(physical.info.id, added);
      this.accept(slot, physical, added, results, false);
    }
  }

  /** Records what the channel now holds; logs (once) and drops topics Genesys rejected. */
  private accept(slot: Slot, physical: Physical, sent: readonly string[], results: readonly TopicResult[], replaced: boolean): void {
    if (replaced) physical.applied.clear();
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const topic of sent) {
      const r = byId.get(topic);
      const rejected = r !== undefined && r.state !== undefined && r.state.toLowerCase() !== 'permitted' && r.state.toLowerCase() !== 'subscribed';
      if (rejected) {
        slot.topics.delete(topic);
        if (!this.rejected.has(topic)) {
          this.rejected.add(topic);
          this.o.logger.warn(
            { topic, state: r.state, rejectionReason: r.rejectionReason, missingPermissions: r.missingPermissions ?? [], event: 'genesys.topic_rejected' },
            `genesys: topic ${topic} rejected${r.missingPermissions?.length ? `; missing permissions: ${r.missingPermissions.join(', ')}` : ''}`,
          );
        }
        continue;
      }
      physical.applied.add(topic);
    }
  }

  /** A new physical channel for the slot: created, subscribed, connected. Retries until it works or stop. */
  private async openPhysical(slot: Slot): Promise<Physical> {
    const generation = this.o.tokenGeneration();
    const info = await this.o.api.createChannel();
    const socket = new NotificationSocket({
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs,
      pingTimeoutMs: this.o.pingTimeoutMs,
      connectTimeoutMs: 10_000,
      onFrame: (text) => {
        // Frames of a retired channel (during the overlap) still count: they are deduped downstream.
        this.o.onFrame(slot.index, text);
      },
      onLost: (why, cause) => this.lost(slot, physical, why, cause),
      onSilent: (since) => {
        if (slot.current !== physical || this.stopped) return;
        slot.gapSince = Math.min(slot.gapSince ?? Infinity, since);
        this.goBlind(slot);
      },
      onHeard: () => {
        if (slot.current === physical) this.flushGap(slot, 'the socket was silent, then spoke again');
      },
    });
    const physical: Physical = { info, socket, applied: new Set(), createdAt: Date.now(), generation };
    const topics = [...slot.topics];
    const results = await this.o.api.putSubscriptions(info.id, topics);
    this.accept(slot, physical, topics, results, true);
    await socket.connect(info.connectUri);
    // Stopped while this channel was being opened (a leader deposed mid-reconnect): it must not stay open.
    if (this.stopped) {
      this.closePhysical(physical, true);
      throw new Aborted();
    }
    this.armExpiry(slot, physical);
    this.o.logger.info({ channelId: info.id, topics: physical.applied.size, expires: info.expiresAt ? new Date(info.expiresAt).toISOString() : undefined, event: 'genesys.channel_open' }, 'genesys: channel open');
    return physical;
  }

  private armExpiry(slot: Slot, physical: Physical): void {
    const expiresAt = physical.info.expiresAt ?? physical.createdAt + DAY_MS;
    const rollIn = Math.max(1000, expiresAt - Date.now() - this.o.rolloverBeforeExpiryMs);
    physical.expiryTimer = setTimeout(() => {
      if (slot.current === physical) this.queueRollover(slot, 'channel expiry approaching');
    }, Math.min(rollIn, 2 ** 31 - 1));
    physical.expiryTimer.unref();
  }

  private closePhysical(physical: Physical, deleteSubscriptions: boolean): void {
    if (physical.expiryTimer) clearTimeout(physical.expiryTimer);
    physical.socket.close();
    if (deleteSubscriptions) {
      // Courtesy: an unconnected channel with topics is still work for Genesys. Best effort.
      this.o.api.deleteSubscriptions(physical.info.id).catch(() => undefined);
    }
  }

  private lost(slot: Slot, physical: Physical, why: string, cause: SocketLostCause): void {
    if (this.stopped) return;
    this.o.logger.warn({ channelId: physical.info.id, why, cause, event: 'genesys.socket_lost' }, 'genesys: notification socket lost');
    slot.gapSince = Math.min(slot.gapSince ?? Infinity, physical.socket.lastFrameAt);
    if (slot.current !== physical) return; // a retired channel: its replacement is already live
    this.goBlind(slot);
    this.queueRecover(slot, why);
  }

  private async recover(slot: Slot, why: string): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      const physical = slot.current;
      if (physical?.socket.open) break;
      try {
        if (physical && (await this.o.api.channelExists(physical.info.id))) {
          const socket = physical.socket;
          await socket.connect(physical.info.connectUri);
          if (this.stopped) {
            this.closePhysical(physical, false);
            return;
          }
          this.o.logger.info({ channelId: physical.info.id, attempt, why, event: 'genesys.reconnected' }, 'genesys: reconnected to the same channel');
        } else {
          if (physical) this.closePhysical(physical, false);
          slot.current = undefined;
          slot.current = await this.openPhysical(slot);
          this.o.logger.info({ channelId: slot.current.info.id, attempt, why, event: 'genesys.channel_replaced' }, 'genesys: channel replaced and resubscribed');
        }
        this.o.onReconnect();
        break;
      } catch (err) {
        if (err instanceof Aborted || this.stopped) return;
        const wait = backoffMs(attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
        this.o.logger.warn({ err: (err as Error).message, attempt, waitMs: wait, event: 'genesys.reconnect_failed' }, 'genesys: reconnect failed; backing off');
        await sleep(wait, this.o.signal);
      }
    }
    this.flushGap(slot, why);
  }

  private async roll(slot: Slot, why: string): Promise<void> {
    const old = slot.current;
    if (!old?.socket.open) {
      await this.recover(slot, why);
      return;
    }
    let next: Physical | undefined;
    for (let attempt = 1; !next && !this.stopped; attempt += 1) {
      try {
        next = await this.openPhysical(slot);
      } catch (err) {
        if (err instanceof Aborted || this.stopped) return;
        const wait = backoffMs(attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
        this.o.logger.warn({ err: (err as Error).message, attempt, waitMs: wait, event: 'genesys.rollover_failed' }, 'genesys: roll-over channel failed; backing off');
        await sleep(wait, this.o.signal);
      }
    }
    if (!next) return;
    slot.current = next;
    this.o.logger.info({ from: old.info.id, to: next.info.id, why, event: 'genesys.rolled_over' }, 'genesys: rolled over to a new channel');
    // Both sockets run for the overlap; the old one may already have been closed by the server.
    setTimeout(() => this.closePhysical(old, true), this.o.overlapMs).unref();
    this.flushGap(slot, why);
  }

  private goBlind(slot: Slot): void {
    if (slot.blind || this.stopped) return;
    slot.blind = true;
    this.o.onBlind(slot.index, slot.gapSince ?? Date.now());
  }

  private flushGap(slot: Slot, why: string): void {
    if ((slot.gapSince === undefined && !slot.blind) || !slot.current?.socket.open) return;
    const since = slot.gapSince ?? Date.now();
    slot.gapSince = undefined;
    slot.blind = false;
    this.o.onGap(since, why, slot.index);
  }
}
