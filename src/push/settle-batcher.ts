/**
 * Group commit for wake settlements. Each processed wake hands its settlement here and awaits its own result; the
 * settlements that become ready at nearly the same moment (the dispatcher keeps many sends in flight) go to the store
 * together, one transaction and one commit for the batch instead of one per wake.
 *
 * A batch is flushed when `maxBatch` settlements are waiting or at the next macrotask (setImmediate: after the I/O
 * callbacks of the current event-loop turn, so every WNS answer that arrived in that turn joins), whichever comes first.
 * One flush runs at a time; the next batch collects meanwhile and is flushed as soon as the running one ends. The flush
 * function is injected (the store's settleWakes); this module does no I/O of its own.
 */

/** What the flush gives back for one item: its result, or the error that item alone ran into. */
export type ItemOutcome<R> = R | { error: unknown };

export interface SettleBatcher<I, R> {
  /** Queues one item; resolves with its own result, rejects with its own error (or the whole batch's). */
  settle(item: I): Promise<R>;
  /** Flushes everything queued and resolves once no flush is running and nothing is queued. */
  flush(): Promise<void>;
}

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * `flushBatch` receives the items of one batch in arrival order and returns one outcome per item, in the same order.
 * If it throws, every caller of that batch gets the error. R must be an object without an `error` property (that marks
 * a failed item).
 */
export function createSettleBatcher<I, R extends object>(
  flushBatch: (items: I[]) => Promise<Array<ItemOutcome<R>>>,
  options: { maxBatch: number },
): SettleBatcher<I, R> {
  const maxBatch = options.maxBatch;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer: ${maxBatch}`);
  let queue: Waiting<I, R>[] = [];
  let flushing = false;
  let scheduled = false;
  let idle: Array<() => void> = [];

  const kick = (): void => {
    if (flushing) return; // the running flush starts the next batch when it ends
    if (queue.length === 0) {
      const waiters = idle;
      idle = [];
      for (const done of waiters) done();
      return;
    }
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    flushing = true;
    void run(batch).finally(() => {
      flushing = false;
      kick();
    });
  };

  const run = async (batch: Waiting<I, R>[]): Promise<void> => {
    let outcomes: Array<ItemOutcome<R>>;
    try {
      outcomes = await flushBatch(batch.map((w) => w.item));
      if (outcomes.length !== batch.length) throw new Error(`settle batch: ${outcomes.length} outcomes for ${batch.length} items`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i] as ItemOutcome<R>;
      if (typeof outcome === 'object' && outcome !== null && 'error' in outcome) w.reject(outcome.error);
      else w.resolve(outcome);
    });
  };

  const onNextMacrotask = (): void => {
    scheduled = false;
    kick();
  };

  return {
    settle(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= maxBatch) kick();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(onNextMacrotask);
        }
      });
    },
    flush() {
      if (!flushing && queue.length === 0) return Promise.resolve();
      const done = new Promise<void>((resolve) => idle.push(resolve));
      kick();
      return done;
    },
  };
}
