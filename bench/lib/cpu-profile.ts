/**
 * CPU profiling of a window inside a bench child (node:inspector, the same sampler as `node --cpu-prof`), so the
 * profile holds the measured load and not start-up or seeding. `summarizeProfile` reads a .cpuprofile into the
 * functions and files with the most self time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';

let session: Session | null = null;

export async function startCpuProfile(intervalMicros = 500): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
}

export async function stopCpuProfile(file: string): Promise<string> {
  if (!session) throw new Error('no CPU profile running');
  const { profile } = (await session.post('Profiler.stop')) as { profile: unknown };
  session.disconnect();
  session = null;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(profile));
  return file;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idlePct: number;
  topFunctions: Array<{ name: string; pct: number }>;
  byArea: Array<{ area: string; pct: number }>;
  /** Inclusive time of our own functions (src/): the share of busy samples with that function on the stack. */
  ourInclusive: Array<{ name: string; pct: number }>;
}

/** Self time by function and by area (our src/ folders, node_modules packages, node internals, GC, idle). */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  // Samples taken while the profiler itself was starting (inspector calls from this file) are not the workload.
  const ownFrames = new Set<number>();
  for (const n of profile.nodes) {
    for (let cur: number | undefined = n.id; cur !== undefined; cur = parentOf.get(cur)) {
      if (byId.get(cur)?.callFrame.url.endsWith('/bench/lib/cpu-profile.ts')) {
        ownFrames.add(n.id);
        break;
      }
    }
  }
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (!ownFrames.has(id)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = areaOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    area.set(where, (area.get(where) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const parent = parentOf;
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)?.callFrame;
      if (!cf || !/\/src\//.test(cf.url)) continue;
      const key = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total / 1000,
    idlePct: (100 * idle) / Math.max(1, total),
    topFunctions: sorted(fn).slice(0, top).map(([name, us]) => ({ name, pct: (100 * us) / busy })),
    byArea: sorted(area).slice(0, top).map(([a, us]) => ({ area: a, pct: (100 * us) / busy })),
    ourInclusive: sorted(inclusive).slice(0, top * 2).map(([name, us]) => ({ name, pct: (100 * us) / busy })),
  };
}

function areaOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  const src = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:') || url === '') return 'node internals';
  return url;
}

function shortUrl(url: string): string {
  const i = url.search(/\/(src|bench|test|node_modules)\//);
  return i >= 0 ? url.slice(i + 1) : url.replace(/^file:\/\//, '');
}

export async function writeSummary(file: string, summary: ProfileSummary): Promise<void> {
  await writeFile(file, JSON.stringify(summary, null, 2));
}
