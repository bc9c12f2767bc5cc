/**
 * Child of bench/scale/idle-memory.ts: imports the gateway's dependencies one at a time, then our own modules, then
 * composes and starts the gateway (as bench/sessions/gateway-process.ts does: 127.0.0.1, port 0, logs silent,
 * DEVICE_AUTH=none), and records process.memoryUsage() after each step (after a full GC when started with
 * --expose-gc, so heap figures are live objects, not garbage). Runs under tsx or as JavaScript compiled by tsc.
 *
 * Ops: memory → the current usage and V8 heap spaces; seed {ids} → known devices with one queued command each.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import v8 from 'node:v8';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';

export interface IdleMemoryChildConfig {
  dataDir: string;
  databaseUrl?: string;
  /** Extra configuration environment. */
  env?: Record<string, string>;
}

export interface MemoryStep {
  step: string;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** CPU time (user + system) of the process so far, and wall time since it started, in ms. */
  cpuMs: number;
  wallMs: number;
}

export interface IdleMemoryReady {
  syncmlUrl: string;
  steps: MemoryStep[];
}

export interface MemoryDetail {
  usage: MemoryStep;
  spaces: Array<{ name: string; size: number; used: number }>;
  code: { bytecodeAndMetadata: number; codeAndMetadata: number; externalScriptSource: number };
  sourceMapsEnabled: boolean;
}

const cfg = childConfig<IdleMemoryChildConfig>();
const gc = (globalThis as { gc?: () => void }).gc;

function sample(step: string): MemoryStep {
  const cpu = process.cpuUsage();
  const wallMs = performance.now();
  gc?.();
  const m = process.memoryUsage();
  return { step, rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

const steps: MemoryStep[] = [sample('node + child-process helpers')];
const step = async (name: string, load: () => Promise<unknown>) => {
  await load();
  steps.push(sample(name));
};

try {
  await step('pino', () => import('pino'));
  await step('prom-client', () => import('prom-client'));
  await step('undici', () => import('undici'));
  await step('express', () => import('express'));
  await step('ajv + ajv-formats', () => Promise.all([import('ajv'), import('ajv-formats')]));
  await step('yaml', () => import('yaml'));
  await step('fast-xml-parser', () => import('fast-xml-parser'));
  await step('pg', () => import('pg'));
  await step('better-sqlite3', () => import('better-sqlite3'));
  await step('typeorm', () => import('typeorm'));
  await step('src/syncml (XML codec)', () => import('../../src/syncml/index.js'));
  await step('src/syncml/wbxml', () => import('../../src/syncml/wbxml/index.js'));
  await step('src/store', () => import('../../src/store/index.js'));
  await step('src/http/app', () => import('../../src/http/app.js'));
  const { composeGateway } = await import('../../src/app/compose.js');
  const { loadConfig } = await import('../../src/config/index.js');
  steps.push(sample('src/app/compose (rest of src)'));

  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: cfg.dataDir,
      ...(cfg.databaseUrl ? { DATABASE_URL: cfg.databaseUrl } : {}),
      DEFAULT_PROVIDER_ID: 'omadm-gateway',
      DEVICE_AUTH: 'none',
      LOG_LEVEL: 'silent',
      OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      SECRET_KEY: randomBytes(32).toString('base64'),
      ...cfg.env,
    },
  });
  // The parts of composeGateway that load or build something big, measured once on their own first (composeGateway
  // then builds its own; what these first calls grew stays counted here).
  {
    const { join } = await import('node:path');
    const { schemasDir } = await import('../../src/config/index.js');
    const { createSchemaRegistry } = await import('../../src/http/schema-registry.js');
    const { buildOpenApiDocument } = await import('../../src/http/openapi-document.js');
    const schemas = createSchemaRegistry(join(schemasDir, 'api'));
    steps.push(sample('  createSchemaRegistry (2 ajv instances, schema files)'));
    buildOpenApiDocument(join(schemasDir, 'openapi.yaml'), schemas.documents);
    steps.push(sample('  buildOpenApiDocument (YAML parse + bundle)'));
    const { createDataSource } = await import('../../src/store/index.js');
    const ds = await createDataSource({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir });
    steps.push(sample('  createDataSource (TypeORM metadata, connection, migrations)'));
    await ds.destroy();
  }
  const gateway = await composeGateway(config, {});
  steps.push(sample('composeGateway() (the rest, and its own copies of the above)'));
  await gateway.store.putProvider('omadm-gateway', { pfn: 'Contoso.OMADMBench_8wekyb3d8bbwe', wns: { clientId: 'ms-app://s-1-15-2-bench', clientSecret: 'bench-secret' } });
  const { url } = await gateway.listen();
  steps.push(sample('listening (dispatcher + housekeeping started)'));

  serveRequests(
    { syncmlUrl: `${url}${config.syncmlPath}`, steps } satisfies IdleMemoryReady,
    {
      memory(): MemoryDetail {
        const usage = sample('now');
        const code = v8.getHeapCodeStatistics();
        return {
          usage,
          spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size })),
          code: {
            bytecodeAndMetadata: code.bytecode_and_metadata_size,
            codeAndMetadata: code.code_and_metadata_size,
            externalScriptSource: code.external_script_source_size,
          },
          sourceMapsEnabled: process.sourceMapsEnabled,
        };
      },
      /** Devices `guidDeviceId(prefix, i)`, i in [0, count), written in bulk (bench/lib/bulk-seed.ts). */
      async bulkSeed(args: { prefix: string; count: number }) {
        const { bulkSeed } = await import('../lib/bulk-seed.js');
        const { createDataSource } = await import('../../src/store/index.js');
        const ds = await createDataSource({ ...(cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl } : {}), dataDir: cfg.dataDir, migrate: false, poolSize: 2 });
        try {
          await bulkSeed(ds, { prefix: args.prefix, guidIds: true, from: 0, count: args.count, providerId: 'omadm-gateway', channelBase: null, commandEvery: 1, at: Date.now() - 3_600_000 });
        } finally {
          await ds.destroy();
        }
        return true;
      },
      async seed(args: { ids: string[] }) {
        const at = new Date(Date.now() - 3_600_000);
        for (const deviceId of args.ids) {
          await gateway.store.commitExchange({
            session: { deviceId, sessionId: '1', trigger: '1201', startedAt: at.toISOString(), updatedAt: at.toISOString(), ended: true, version: 0, data: {} },
            expectedVersion: null,
            effects: [{ type: 'device.seen', deviceId, at, devInfo: { DevId: deviceId, Man: 'Bench', Mod: 'Lean', DmV: '1.3', Lang: 'en-US' } }],
          });
          await gateway.store.enqueueCommand(deviceId, { verb: 'Get', target: './DevDetail/SwV' });
        }
        return true;
      },
    },
    async () => {
      await gateway.close();
      await rm(cfg.dataDir, { recursive: true, force: true });
    },
  );
} catch (error) {
  failStart(error);
}
