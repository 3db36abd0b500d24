// Durability off the event loop: each commit is acknowledged only once a flush that started after it has
// completed; commits waiting when the store closes are refused, never acknowledged without a flush.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../src/store/wal-sync.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function walFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
  dirs.push(dir);
  const path = join(dir, 'bridge.sqlite-wal');
  writeFileSync(path, 'frames');
  return path;
}

describe('WalSync', () => {
  it('is absent when there is no WAL file (an in-memory database)', () => {
    expect(WalSync.open(join(tmpdir(), 'no-such-dir-for-wal-sync', 'x-wal'))).toBeUndefined();
  });

  it('acknowledges every commit once flushed, those made during a flush with the next one', async () => {
    const sync = WalSync.open(walFile())!;
    const order: number[] = [];
    const all = [1, 2, 3, 4].map((n) => sync.durable().then(() => order.push(n)));
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3, 4]);
    await sync.durable();
    sync.close();
  });

  it('refuses what comes after close, and a commit still waiting when it closes; the flush under way completes', async () => {
    const sync = WalSync.open(walFile())!;
    const first = sync.durable();
    const second = sync.durable();
    sync.close();
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toMatchObject({ code: 'STORE_CLOSED', message: 'the store closed before this commit was flushed' });
    await expect(sync.durable()).rejects.toMatchObject({ code: 'STORE_CLOSED', message: 'the store is closed: nothing more can be made durable' });
    // Closing twice is harmless.
    sync.close();
  });

  it('closing with nothing in flight closes at once', async () => {
    const sync = WalSync.open(walFile())!;
    sync.close();
    await expect(sync.durable()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
