/**
 * Bench processes: a module started with `node --import tsx` (fork, IPC channel), so the gateway, the baseline
 * server, the fake WNS and the load generators never share an event loop. The child answers requests
 * ({id, op, args} → {id, ok, result | error}) through `serveRequests`, and says `{ready: …}` once started.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchChild<Ready = unknown> {
  readonly pid: number;
  readonly ready: Ready;
  request<T = unknown>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop (op 'stop'), then SIGKILLs it if it has not exited within 10 s. */
  stop(): Promise<void>;
  readonly process: ChildProcess;
}

export interface StartChildOptions {
  env?: Record<string, string | undefined>;
  execArgv?: string[];
  /** How long the child may take to say ready. */
  readyTimeoutMs?: number;
  /** Passed to the child as process.argv[2] (JSON). */
  config?: unknown;
  /** 'tsx' (default): `node --import tsx`; 'none': plain node, for JavaScript compiled beforehand (bench/scale/idle-memory.ts). */
  loader?: 'tsx' | 'none';
}

export async function startChild<Ready = unknown>(moduleUrl: URL, options: StartChildOptions = {}): Promise<BenchChild<Ready>> {
  const child = fork(fileURLToPath(moduleUrl), [JSON.stringify(options.config ?? {})], {
    execArgv: [...(options.loader === 'none' ? [] : ['--import', 'tsx']), ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`bench child ${moduleUrl.pathname} exited`));
    }
    pending.clear();
    resolve();
  }));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench child ${moduleUrl.pathname} not ready in time`)), options.readyTimeoutMs ?? 60_000);
    const onMessage = (m: { ready?: Ready; fatal?: string }) => {
      if (m.fatal !== undefined) {
        clearTimeout(timer);
        reject(new Error(`bench child ${moduleUrl.pathname}: ${m.fatal}`));
      } else if (m.ready !== undefined) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m.ready);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench child ${moduleUrl.pathname} exited with ${code} before it was ready`));
    });
  }).catch((err: unknown) => {
    if (!exited) child.kill('SIGKILL');
    throw err;
  });
  child.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error ?? 'bench child request failed'));
  });
  return {
    pid: child.pid ?? -1,
    ready,
    process: child,
    request<T>(op: string, args?: unknown, timeoutMs = 600_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`bench child ${moduleUrl.pathname} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`bench child request ${op} timed out`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, op, args });
      });
    },
    async stop() {
      if (exited) return;
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        const id = nextId++;
        child.send({ id, op: 'stop' });
      } catch {
        child.kill('SIGKILL');
      }
      await exitedPromise;
      clearTimeout(killTimer);
    },
  };
}

export type Handlers = Record<string, (args: any) => unknown>;

/** In the child: reports ready, answers requests, exits on 'stop' after `onStop`. */
export function serveRequests(ready: unknown, handlers: Handlers, onStop: () => Promise<void> | void): void {
  if (!process.send) throw new Error('not started as a bench child (no IPC channel)');
  process.on('message', (m: { id: number; op: string; args?: unknown }) => {
    void (async () => {
      if (m.op === 'stop') {
        try {
          await onStop();
        } finally {
          process.exit(0);
        }
      }
      const handler = handlers[m.op];
      try {
        if (!handler) throw new Error(`unknown op ${m.op}`);
        const result = await handler(m.args);
        process.send?.({ id: m.id, ok: true, result });
      } catch (error) {
        process.send?.({ id: m.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  process.on('disconnect', () => {
    void Promise.resolve(onStop()).finally(() => process.exit(0));
  });
  process.send({ ready });
}

/** In the child: report a start-up failure to the parent and exit. */
export function failStart(error: unknown): never {
  process.send?.({ fatal: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}

export function childConfig<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** Resident set size of a process in bytes, read from /proc (Linux); NaN elsewhere. */
export async function rssOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/PID/stat (clock ticks of 10 ms). */
export async function cpuMsOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
