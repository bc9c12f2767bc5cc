/**
 * `omadm-gateway simulate`, in-process: the demo against its own in-process gateway (report accounted for, exit 0,
 * progress on stderr, --json on stdout), the two-terminal demo (a `serve` started with the environment
 * `simulate --print-env` prints, then `simulate --server`), and the usage errors.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo, cli } from './cli-io.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('simulate in process', () => {
  it('20 devices through the whole wake loop: exit 0, every check-in, wake and command result accounted for (--json)', async () => {
    const r = await cli(['simulate', '--devices', '20', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      mode: 'in-process',
      devices: 20,
      checkIns: { ok: 20, failed: 0 },
      wakes: { requested: 20, accepted: 20, refused: 0, sent: 20, delivered: 20, woke: 20, sessions: 20, timedOut: false },
      commands: { perDevice: 1, queued: 20, byResult: { 'done 200': 20 }, accountedFor: 20 },
      failures: { count: 0, first: [] },
    });
    expect(report.latencyMs.wake.count).toBe(20);
    expect(report.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(in process, SQLite in .* \(temporary\); fake WNS at https:\/\/127\.0\.0\.1:\d+\)$/);
    // Progress went to stderr, one line per phase at least.
    for (const phase of ['provider', 'check-in', 'queue', 'wake-request', 'wake', 'results']) {
      expect(r.stderr).toMatch(new RegExp(`^\\[ *\\d+\\.\\d s\\] ${phase} +\\d+/\\d+`, 'm'));
    }
    expect(r.stderr).toMatch(/results +20\/20/);
  }, 120_000);

  it('prints the readable summary; --no-progress keeps stderr quiet; several commands per device', async () => {
    const r = await cli(['simulate', '--devices', '3', '--no-progress', '--commands', 'get,atomic,missing']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^check-ins: +3 ok, 0 failed/m);
    expect(r.stdout).toMatch(/^wakes: +3 requested \(3 accepted, 0 coalesced, 0 refused\), 3 sent, 3 delivered by WNS, 3 woke; 3 sessions with Alert 1200$/m);
    expect(r.stdout).toMatch(/^wake latency: +request → 1200 session p50 \d+ ms, p95 \d+ ms/m);
    expect(r.stdout).toMatch(/^commands: +9 queued \(3 per device\); done 200: 3, failed 404: 3, failed 507: 3; accounted for 9\/9$/m);
    expect(r.stdout).toMatch(/^failures: +none$/m);
  }, 120_000);
});

describe('simulate --server (two terminals)', () => {
  it('against a gateway started with the environment --print-env gives', async () => {
    const wnsPort = await freePort();
    const env = await cli(['simulate', '--print-env', '--wns-port', String(wnsPort)]);
    expect(env.code).toBe(0);
    expect(env.stdout).toBe(`export WNS_TOKEN_URL=http://127.0.0.1:${wnsPort}/accesstoken.srf\nexport WNS_CHANNEL_HOSTS=http://127.0.0.1:${wnsPort}\n`);
    const gatewayEnv = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

    const dataDir = mkdtempSync(join(tmpdir(), 'cli-sim-'));
    const serveIo = captureIo({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...gatewayEnv });
    const serving = runCli(['serve', '--port', '0'], serveIo);
    try {
      let url = '';
      for (let i = 0; i < 600 && !url; i++) {
        url = /listening on (http:\/\/\S+)/.exec(serveIo.err.join(''))?.[1] ?? '';
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, serveIo.err.join('')).not.toBe('');
      // The operator token comes from DATA_DIR/operator-token, as for the other operator commands.
      const r = await cli(['simulate', '--devices', '5', '--server', url, '--wns-port', String(wnsPort), '--json', '--no-progress'], { DATA_DIR: dataDir });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        mode: 'server',
        checkIns: { ok: 5, failed: 0 },
        wakes: { accepted: 5, sent: 5, woke: 5, sessions: 5 },
        commands: { queued: 5, accountedFor: 5 },
        failures: { count: 0 },
      });
    } finally {
      serveIo.stop();
      expect(await serving).toBe(0);
    }
  }, 120_000);

  it('says how to fix a gateway that was not pointed at the fake WNS, and exits 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-sim-'));
    const serveIo = captureIo({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }); // default WNS_CHANNEL_HOSTS: *.notify.windows.com
    const serving = runCli(['serve', '--port', '0'], serveIo);
    try {
      let url = '';
      for (let i = 0; i < 600 && !url; i++) {
        url = /listening on (http:\/\/\S+)/.exec(serveIo.err.join(''))?.[1] ?? '';
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      const wnsPort = await freePort();
      const r = await cli(['simulate', '--devices', '2', '--server', url, '--wns-port', String(wnsPort), '--no-progress', '--wake-timeout', '1'], { DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`the gateway refuses the fake WNS's channels: is it running with WNS_CHANNEL_HOSTS=http://127.0.0.1:${wnsPort}?`);
      expect(r.stdout).toMatch(/wakes: +2 requested \(0 accepted, 0 coalesced, 2 refused\)/);
      expect(r.stderr).toMatch(/simulate: \d+ failure\(s\)/);
    } finally {
      serveIo.stop();
      await serving;
    }
  }, 120_000);
});

describe('simulate usage errors (exit 2)', () => {
  it.each([
    [['--devices', '0'], /--devices must be an integer from 1/],
    [['--devices', 'many'], /--devices must be an integer/],
    [['--server', 'http://10.1.2.3:8080'], /--server must be a gateway on this machine/],
    [['--server', 'not a url'], /is not a URL/],
    [['--server', 'http://127.0.0.1:1', '--push-rate', '5'], /--push-rate applies to the in-process gateway/],
    [['--commands', 'reboot-everything'], /unknown command "reboot-everything"; choose from get, replace, exec, missing, atomic/],
    [['--commands', '{"verb":'], /--commands is not valid JSON/],
    [['--log-level', 'loud'], /--log-level must be one of/],
  ])('simulate %j', async (args, message) => {
    const r = await cli(['simulate', ...args, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--server without a reachable gateway says so (exit 1)', async () => {
    const port = await freePort();
    const r = await cli(['simulate', '--server', `http://127.0.0.1:${port}`, '--token', 't'.repeat(32), '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+/);
  });
});
