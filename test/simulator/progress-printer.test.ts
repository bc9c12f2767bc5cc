import { describe, expect, it } from 'vitest';
import { createProgressPrinter } from '../../src/simulate/progress-printer.js';

describe('progress printer', () => {
  it('prints when a phase starts and finishes, and at most once an interval in between', () => {
    const lines: string[] = [];
    let t = 0;
    const print = createProgressPrinter((s) => lines.push(s), { now: () => t, intervalMs: 1000 });
    t = 100;
    print({ phase: 'check-in', done: 1, total: 1000 }); // phase starts
    t = 500;
    print({ phase: 'check-in', done: 400, total: 1000 }); // too soon
    t = 1200;
    print({ phase: 'check-in', done: 700, total: 1000 }); // an interval later
    t = 1300;
    print({ phase: 'check-in', done: 1000, total: 1000 }); // finished
    print({ phase: 'queue', done: 1, total: 1000, detail: 'x' }); // next phase
    expect(lines).toEqual([
      '[   0.1 s] check-in         1/1000\n',
      '[   1.2 s] check-in       700/1000\n',
      '[   1.3 s] check-in      1000/1000\n',
      '[   1.3 s] queue            1/1000  x\n',
    ]);
  });
});
