// Changes under one key run one after another, whatever the one before them did; other keys do not wait.
import { describe, expect, it } from 'vitest';
import { oneAtATimePerKey } from '../../storage/one-at-a-time.js';

describe('oneAtATimePerKey', () => {
  it('runs one key\'s changes in order, each after the last has settled, even when one fails', async () => {
    const oneAtATime = oneAtATimePerKey();
    const order: string[] = [];
    let running = 0;
    const step = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      await new Promise((r) => setTimeout(r, 5));
      order.push(name);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([oneAtATime('a', step('1')), oneAtATime('a', step('2', true)), oneAtATime('a', step('3'))]);
    expect(order).toEqual(['1', '2', '3']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets another key run at the same time', async () => {
    const oneAtATime = oneAtATimePerKey();
    let release!: () => void;
    const held = oneAtATime('a', () => new Promise<void>((r) => (release = r)));
    await expect(oneAtATime('b', async () => 'b')).resolves.toBe('b');
    release();
    await held;
  });
});
