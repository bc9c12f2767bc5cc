/**
 * Progress of a long simulation on stderr: a line when a phase starts or finishes, and at most one a second while it
 * runs, e.g. `[  4.2 s] check-in      412/1000`.
 */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
  detail?: string;
}

export function createProgressPrinter(
  write: (text: string) => void,
  options: { now?: () => number; intervalMs?: number } = {},
): (event: ProgressEvent) => void {
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 1000;
  const start = now();
  let phase = '';
  let last = Number.NEGATIVE_INFINITY;
  return (e) => {
    const t = now();
    const finished = e.done >= e.total;
    if (e.phase === phase && !finished && t - last < interval) return;
    phase = e.phase;
    last = t;
    const elapsed = `${((t - start) / 1000).toFixed(1)} s`.padStart(8);
    write(`[${elapsed}] ${e.phase.padEnd(13)} ${String(e.done).padStart(String(e.total).length)}/${e.total}${e.detail ? `  ${e.detail}` : ''}\n`);
  };
}
