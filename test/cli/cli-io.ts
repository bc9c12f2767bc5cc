import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/program.js';

export interface CapturedIo extends CliIo {
  out: string[];
  err: string[];
  /** Resolves stopSignal() (what SIGINT does for the real process). */
  stop(): void;
}

export function captureIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  let release: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (release = resolve));
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env,
    cwd,
    stopSignal: () => stopped,
    stop: () => release('SIGTERM'),
  };
}

/** Runs the CLI in-process; returns the exit code and what it printed. */
export async function cli(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(env, cwd);
  const code = await runCli(args, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
