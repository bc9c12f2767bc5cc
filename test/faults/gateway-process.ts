/**
 * The gateway as a separate process, exactly as an operator runs it: `node bin/omadm-gateway.js serve` with its
 * configuration in the environment. `kill()` is SIGKILL (kill -9: no shutdown hook runs); `restart()` starts a new
 * process on the same configuration (same DATA_DIR / DATABASE_URL, same SECRET_KEY and operator token).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/omadm-gateway.js', import.meta.url));

export interface GatewayProcess {
  /** Base URL of the running process (changes on restart: PORT=0). */
  readonly url: string;
  readonly pid: number;
  /** True while the current process runs. */
  alive(): boolean;
  /** Everything the current process wrote to stderr/stdout. */
  output(): string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** SIGTERM and wait (tests' cleanup). */
  stop(): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<GatewayProcess> {
  let child: ChildProcess;
  let url = '';
  let out = '';
  let exited = true;

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      out = '';
      child = spawn(process.execPath, [BIN, 'serve'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      exited = false;
      const timer = setTimeout(() => reject(new Error(`gateway not listening within ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
      const onData = (d: Buffer) => {
        out += d.toString('utf8');
        const m = /omadm-gateway listening on (https?:\/\/\S+)/.exec(out);
        if (m && url !== m[1]) {
          url = m[1]!;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        exited = true;
        clearTimeout(timer);
        reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${out}`));
      });
    });

  const waitExit = () =>
    exited ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await launch();
  return {
    get url() {
      return url;
    },
    get pid() {
      return child.pid ?? -1;
    },
    alive: () => !exited,
    output: () => out,
    async kill() {
      const done = waitExit();
      child.kill('SIGKILL');
      await done;
    },
    async restart() {
      url = '';
      await launch();
    },
    async stop() {
      if (exited) return;
      const done = waitExit();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
