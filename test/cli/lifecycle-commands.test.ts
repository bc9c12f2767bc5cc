/** serve (banner, generated token, clean stop), migrate, replay and simulate's registration, in-process. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { banner } from '../../src/cli/commands/serve-command.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { captureIo, cli } from './cli-io.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'cli-life-'));

async function serveUntilListening(env: Record<string, string>) {
  const io = captureIo(env);
  const exit = runCli(['serve', '--port', '0'], io);
  for (let i = 0; i < 600 && !io.err.join('').includes('listening on'); i++) {
    const early = await Promise.race([exit, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (early !== null) throw new Error(`serve exited early (${String(early)}): ${io.err.join('')}`);
  }
  const banner = io.err.join('');
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1] ?? '';
  return { io, exit, banner, url };
}

describe('serve', () => {
  it('prints where it listens and the generated token once, serves, and stops cleanly on a signal', async () => {
    const dir = freshDir();
    const first = await serveUntilListening({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const tokenFile = join(dir, 'operator-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.banner).toContain(`  SyncML endpoint: POST ${first.url}/ManagementServer/MDM.svc\n`);
    expect(first.banner).toContain(`  operator API:    ${first.url}/api/v1 `);
    expect(first.banner).toContain(`  operator token:  ${token}\n`);
    expect(first.banner).toContain(`curl -H "Authorization: Bearer $(cat ${tokenFile})" ${first.url}/api/v1/devices`);
    expect(first.banner).toContain(`  storage:         SQLite in ${dir}\n`);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.url}/api/v1/devices`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    first.io.stop();
    expect(await first.exit).toBe(0);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    const second = await serveUntilListening({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(second.banner).toContain(`  operator token:  in ${tokenFile}\n`);
    expect(second.banner).not.toContain(token);
    second.io.stop();
    expect(await second.exit).toBe(0);
  });

  it('warns loudly in the banner when DEVICE_AUTH=none is allowed on a non-loopback address', () => {
    const config = loadConfig({ env: { HOST: '0.0.0.0', ALLOW_INSECURE_DEVICE_AUTH: '1', DATABASE_URL: 'postgres://gw:pw@127.0.0.1/db' } });
    const text = banner(config, 'http://0.0.0.0:8080', { token: 't'.repeat(20), origin: 'env' });
    expect(text).toMatch(/WARNING: DEVICE_AUTH=none while listening on 0\.0\.0\.0/);
    expect(text).toContain('PostgreSQL (postgres://gw:***@127.0.0.1/db)');
    expect(text).toContain('  operator token:  from OPERATOR_TOKEN\n');
    expect(banner(loadConfig({ env: {} }), 'http://127.0.0.1:8080', { token: 't'.repeat(20), origin: 'env' })).not.toContain('WARNING');
  });

  it.each([
    [{ HOST: '0.0.0.0' }, /DEVICE_AUTH=none on the non-loopback HOST 0\.0\.0\.0.*ALLOW_INSECURE_DEVICE_AUTH=1/s],
    [{ DEVICE_AUTH: 'mtls' }, /DEVICE_AUTH=mtls needs TLS_CERT/],
    [{ PORT: 'http' }, /PORT \(--port\) must be integer/],
    [{ WNS_CHANNEL_HOSTS: '*.*.example.com' }, /WNS_CHANNEL_HOSTS/],
  ])('refuses to start with %j (exit 2, says why)', async (env, message) => {
    const r = await cli(['serve'], { DATA_DIR: freshDir(), LOG_LEVEL: 'silent', ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('migrate, replay, simulate', () => {
  it('migrate applies the migrations once, then says the database is up to date', async () => {
    const dir = freshDir();
    const first = await cli(['migrate'], { DATA_DIR: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\): /);
    const second = await cli(['migrate', '--data-dir', dir], {});
    expect(second.stdout).toBe('database is up to date\n');
  });

  it('replay runs a transcript against a fresh in-process gateway', async () => {
    const r = await cli(['replay', 'test/transcripts/01-first-checkin-push-provisioning.xml']);
    expect(r.stdout, r.stderr).toMatch(/1 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('simulate is registered (its runs are in simulate-command.test.ts)', async () => {
    const r = await cli(['simulate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--devices <n>/);
  });

  it('lists every subcommand in --help', async () => {
    const r = await cli(['--help']);
    for (const name of ['serve', 'migrate', 'replay', 'simulate', 'devices', 'device', 'queue', 'command', 'wake', 'providers']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });
});
