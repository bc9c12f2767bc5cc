import { describe, expect, it } from 'vitest';
import { createSettleBatcher, type ItemOutcome } from '../../src/push/settle-batcher.js';

type Result = { value: string };

/** A flush function the test drives: records each batch and answers when told to. */
function controlledFlush() {
  const batches: string[][] = [];
  const pending: Array<{ resolve(outcomes: Array<ItemOutcome<Result>>): void; reject(error: unknown): void }> = [];
  const flush = (items: string[]) => {
    batches.push(items);
    return new Promise<Array<ItemOutcome<Result>>>((resolve, reject) => pending.push({ resolve, reject }));
  };
  const answerAll = (i: number) => pending[i]?.resolve((batches[i] ?? []).map((item) => ({ value: `done ${item}` })));
  return { batches, pending, flush, answerAll };
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const microtasks = async (n = 20) => {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
};

describe('settle batcher', () => {
  it('flushes as soon as maxBatch items are waiting, without waiting for the next macrotask', async () => {
    const f = controlledFlush();
    const batcher = createSettleBatcher<string, Result>(f.flush, { maxBatch: 3 });
    const results = ['a', 'b', 'c'].map((item) => batcher.settle(item));
    expect(f.batches).toEqual([['a', 'b', 'c']]);
    f.answerAll(0);
    expect(await Promise.all(results)).toEqual([{ value: 'done a' }, { value: 'done b' }, { value: 'done c' }]);
  });

  it('flushes a partial batch at the next macrotask, not before', async () => {
    const f = controlledFlush();
    const batcher = createSettleBatcher<string, Result>(f.flush, { maxBatch: 32 });
    const a = batcher.settle('a');
    await microtasks();
    const b = batcher.settle('b'); // still the same batch: no macrotask has run
    await microtasks();
    expect(f.batches).toEqual([]);
    await nextMacrotask();
    expect(f.batches).toEqual([['a', 'b']]);
    f.answerAll(0);
    expect(await Promise.all([a, b])).toEqual([{ value: 'done a' }, { value: 'done b' }]);
  });

  it('runs one flush at a time; the next batch collects meanwhile and goes as soon as the running one ends', async () => {
    const f = controlledFlush();
    const batcher = createSettleBatcher<string, Result>(f.flush, { maxBatch: 2 });
    const first = [batcher.settle('a'), batcher.settle('b')];
    const later = [batcher.settle('c'), batcher.settle('d'), batcher.settle('e')];
    await nextMacrotask();
    expect(f.batches).toEqual([['a', 'b']]);
    f.answerAll(0);
    await Promise.all(first);
    await microtasks();
    expect(f.batches).toEqual([['a', 'b'], ['c', 'd']]);
    f.answerAll(1);
    await microtasks();
    expect(f.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    f.answerAll(2);
    expect(await Promise.all(later)).toEqual([{ value: 'done c' }, { value: 'done d' }, { value: 'done e' }]);
  });

  it("routes each item's error to its own caller and the results to the others", async () => {
    const bad = new Error('b broke its foreign key');
    const batcher = createSettleBatcher<string, Result>(
      async (items) => items.map((item) => (item === 'b' ? { error: bad } : { value: `done ${item}` })),
      { maxBatch: 3 },
    );
    const [a, b, c] = [batcher.settle('a'), batcher.settle('b'), batcher.settle('c')];
    await expect(a).resolves.toEqual({ value: 'done a' });
    await expect(b).rejects.toBe(bad);
    await expect(c).resolves.toEqual({ value: 'done c' });
  });

  it('rejects every caller of a batch whose flush throws, or answers the wrong number of items; later batches still run', async () => {
    let call = 0;
    const down = new Error('database unreachable');
    const batcher = createSettleBatcher<string, Result>(
      async (items) => {
        call += 1;
        if (call === 1) throw down;
        if (call === 2) return [{ value: 'only one' }];
        return items.map((item) => ({ value: `done ${item}` }));
      },
      { maxBatch: 2 },
    );
    const first = [batcher.settle('a'), batcher.settle('b')];
    await Promise.all(first.map((p) => expect(p).rejects.toBe(down)));
    const second = [batcher.settle('c'), batcher.settle('d')];
    await Promise.all(second.map((p) => expect(p).rejects.toThrow('1 outcomes for 2 items')));
    await expect(batcher.settle('e')).resolves.toEqual({ value: 'done e' });
  });

  it('flush() writes what is queued and waits for the running flush (what stop() relies on)', async () => {
    const f = controlledFlush();
    const batcher = createSettleBatcher<string, Result>(f.flush, { maxBatch: 2 });
    await batcher.flush(); // nothing queued: resolves at once
    const all = [batcher.settle('a'), batcher.settle('b'), batcher.settle('c')];
    let flushed = false;
    const stopping = batcher.flush().then(() => {
      flushed = true;
    });
    expect(f.batches).toEqual([['a', 'b']]);
    f.answerAll(0);
    await microtasks();
    expect(f.batches).toEqual([['a', 'b'], ['c']]);
    expect(flushed).toBe(false);
    f.answerAll(1);
    await stopping;
    expect(await Promise.all(all)).toEqual([{ value: 'done a' }, { value: 'done b' }, { value: 'done c' }]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    const flush = async () => [];
    expect(() => createSettleBatcher<string, Result>(flush, { maxBatch: 0 })).toThrow(RangeError);
    expect(() => createSettleBatcher<string, Result>(flush, { maxBatch: 1.5 })).toThrow(RangeError);
  });
});
