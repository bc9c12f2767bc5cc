/**
 * Diagnosis (not part of `npm run bench`): when does a gateway accept the connections of 64 devices that all start a
 * session at once, and when does it see their requests? Reproduces the SQLite finding in bench/README.md.
 *
 *   node --import tsx bench/sessions/accept-timeline.ts [sqlite|sqlite-yield|postgres-url]
 *
 * `sqlite-yield` is the what-if that yields to the event loop before every SQLite statement.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../lib/child-process.js';
import type { GatewayProcessConfig, GatewayReady } from './gateway-process.js';
import { runWave } from './session-load.js';
import { BENCH_PFN, BENCH_PROVIDER, QUEUED_COMMAND, deviceId } from './sessions-bench.js';

const mode = process.argv[2] ?? 'sqlite';
const dataDir = await mkdtemp(join(tmpdir(), 'omadm-accept-'));
const config: GatewayProcessConfig = {
  dataDir,
  removeDataDir: true,
  providerId: BENCH_PROVIDER,
  pfn: BENCH_PFN,
  ...(mode === 'sqlite-yield' ? { sqliteYield: true } : {}),
  ...(mode.startsWith('postgres://') ? { databaseUrl: mode } : {}),
};
const g = await startChild<GatewayReady>(new URL('./gateway-process.ts', import.meta.url), { config, env: { BENCH_DIAG: '1' } });
try {
  const ids = Array.from({ length: 320 }, (_, i) => deviceId('ACCEPT00', i));
  await g.request('seed', { ids, command: QUEUED_COMMAND });
  await runWave({ syncmlUrl: g.ready.syncmlUrl, deviceIds: ids.slice(0, 64), sessionId: '2', concurrency: 64 }); // warm-up
  await g.request('diag');
  const start = Date.now();
  const w = await runWave({ syncmlUrl: g.ready.syncmlUrl, deviceIds: ids.slice(64), sessionId: '2', concurrency: 64 });
  const d = await g.request<{ accepted: number[]; requests: number[] }>('diag');
  const s = (xs: number[]) => xs.map((x) => ((x - start) / 1000).toFixed(2)).join(' ');
  const slow = [...w.timeline].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`${mode}: ${w.sessions} sessions in ${(w.wallMs / 1000).toFixed(1)} s`);
  console.log(`connections accepted at (s): ${s(d.accepted)}`);
  console.log(`slowest messages (sent at → took, s): ${slow.map(([at, l]) => `${(at / 1000).toFixed(2)}→${(l / 1000).toFixed(2)}`).join(', ')}`);
} finally {
  await g.stop();
}
