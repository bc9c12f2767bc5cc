/**
 * A simulated clock with a timer queue. Devices schedule their polls, channel renewals and expiries on it;
 * `advanceTo` runs every due task in time order, with `now()` set to each task's time while it runs, and awaits
 * each one (so a task that opens a DM session finishes before the next task starts).
 */

export type TimerId = number;

export interface DeviceClock {
  now(): Date;
  schedule(at: Date, task: () => Promise<void> | void, label?: string): TimerId;
  cancel(id: TimerId): void;
}

interface Timer {
  id: TimerId;
  at: number;
  task: () => Promise<void> | void;
  label: string;
}

export class SimClock implements DeviceClock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start: Date = new Date('2025-01-01T00:00:00Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  schedule(at: Date, task: () => Promise<void> | void, label = ''): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: Math.max(at.getTime(), this.current), task, label });
    // Stable by time, then by scheduling order.
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return id;
  }

  cancel(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Runs every task due at or before `target`, then leaves the clock at `target`. */
  async advanceTo(target: Date): Promise<void> {
    const end = target.getTime();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      await next.task();
    }
    this.current = Math.max(this.current, end);
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(new Date(this.current + ms));
  }

  /** Labels and times of pending timers (for tests and debugging). */
  pending(): { at: Date; label: string }[] {
    return this.timers.map((t) => ({ at: new Date(t.at), label: t.label }));
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
