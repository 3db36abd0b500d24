// Group commit: what callers rely on — items of one turn share one write, results come back in order, a
// failed write rejects only its own batch, and with overlap a batch commits while the previous one is still
// being flushed (never more than two at once), without reordering anything.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/util/group-commit.js';

/** A writer whose writes finish only when the test says so, recording what each write got. */
function gatedWriter() {
  const writes: number[][] = [];
  const gates: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: readonly number[]): Promise<number[]> => {
    writes.push([...items]);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    inFlight -= 1;
    return items.map((i) => i * 10);
  };
  return { write, writes, open: () => gates.shift()?.(), get maxInFlight() { return maxInFlight; } };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** A finished write schedules the next batch from its own continuation: give it a turn too. */
const turns = async (): Promise<void> => {
  await turn();
  await turn();
};

describe('GroupCommit', () => {
  it('writes the items of one turn together and answers each caller in order', async () => {
    const w = gatedWriter();
    const gc = new GroupCommit(w.write, { maxBatch: 100 });
    const results = Promise.all([1, 2, 3].map((i) => gc.add(i)));
    await turn();
    expect(w.writes).toEqual([[1, 2, 3]]);
    w.open();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('without overlap, the next batch waits for the one being written', async () => {
    const w = gatedWriter();
    const gc = new GroupCommit(w.write, { maxBatch: 100 });
    const first = gc.add(1);
    await turn();
    const later = [gc.add(2), gc.add(3)];
    await turn();
    expect(w.writes).toEqual([[1]]);
    w.open();
    await first;
    await turns();
    expect(w.writes).toEqual([[1], [2, 3]]);
    w.open();
    expect(await Promise.all(later)).toEqual([20, 30]);
  });

  it('with overlap, one batch is written while the previous one is flushed, never more than two', async () => {
    const w = gatedWriter();
    const gc = new GroupCommit(w.write, { maxBatch: 100, overlap: true });
    const a = gc.add(1);
    await turn();
    const b = gc.add(2);
    await turn();
    const c = [gc.add(3), gc.add(4)];
    await turn();
    // 1 and 2 are in flight; 3 and 4 wait and then go together.
    expect(w.writes).toEqual([[1], [2]]);
    w.open();
    expect(await a).toBe(10);
    await turns();
    expect(w.writes).toEqual([[1], [2], [3, 4]]);
    w.open();
    w.open();
    expect(await b).toBe(20);
    expect(await Promise.all(c)).toEqual([30, 40]);
    expect(w.maxInFlight).toBe(2);
    await gc.idle();
  });

  it('a failed write rejects its own batch only', async () => {
    let calls = 0;
    const gc = new GroupCommit(async (items: readonly number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
      return [...items];
    }, { maxBatch: 100 });
    const failed = gc.add(1);
    await expect(failed).rejects.toThrow('disk full');
    expect(await gc.add(2)).toBe(2);
  });

  it('idle() resolves once everything added so far is written', async () => {
    const w = gatedWriter();
    const gc = new GroupCommit(w.write, { maxBatch: 1, overlap: true });
    const all = Promise.all([gc.add(1), gc.add(2), gc.add(3)]);
    let idle = false;
    const done = gc.idle().then(() => (idle = true));
    for (let i = 0; i < 3; i++) {
      await turn();
      expect(idle).toBe(false);
      w.open();
      await turn();
    }
    await done;
    expect(await all).toEqual([10, 20, 30]);
  });
});
