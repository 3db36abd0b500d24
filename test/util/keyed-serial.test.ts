// Tasks of one key one after another, in order, whatever each takes; other keys meanwhile; a failure does not
// stop the tasks queued behind it.
import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../../src/util/keyed-serial.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('KeyedSerial', () => {
  it('runs one key in order, other keys alongside, and forgets a key once it is done', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const first = gate();
    const a1 = serial.run('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
      return 1;
    });
    const a2 = serial.run('a', async () => (log.push('a2'), 2));
    const b1 = serial.run('b', async () => (log.push('b1'), 3));
    expect(await b1).toBe(3);
    expect(log).toEqual(['a1 start', 'b1']);
    first.open();
    expect(await Promise.all([a1, a2])).toEqual([1, 2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await serial.idle();
    expect(serial.size).toBe(0);
  });

  it('a failed task rejects its own caller only; the next one still runs', async () => {
    const serial = new KeyedSerial();
    const failed = serial.run('a', async () => {
      throw new Error('boom');
    });
    const next = serial.run('a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('idle() waits for tasks still running', async () => {
    const serial = new KeyedSerial();
    const g = gate();
    let done = false;
    void serial.run('a', async () => {
      await g.promise;
      done = true;
    });
    const idle = serial.idle().then(() => done);
    g.open();
    expect(await idle).toBe(true);
  });
});
