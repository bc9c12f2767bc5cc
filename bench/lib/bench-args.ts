/** Command-line flags of `npm run bench -- …`. */
export interface BenchArgs {
  json: boolean;
  quick: boolean;
  /** `--scale` was given: accepted for old command lines and changes nothing (the default run includes the scale suite). */
  scale: boolean;
  /** Suites to run (default: all four). */
  only: string[] | null;
  /** Write CPU profiles of the gateway/dispatcher processes into this directory (`--profile[=dir]`). */
  profileDir: string | null;
  /** Repetitions of each paired measurement (default 1 quick, 3 full). */
  rounds: number | null;
  /** Also run SQLite what-ifs: synchronous=NORMAL, and a yield to the event loop before every statement (not product settings). */
  whatIf: boolean;
  /** Override the push fan-out size (wakes per gateway run and per baseline run). */
  wakes: number | null;
  /** Seconds after which a gateway's fan-out is cut (0: never; default 180, quick 30). */
  pushCapS: number | null;
}

export const SUITES = ['codec', 'sessions', 'push', 'scale'] as const;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { json: false, quick: false, scale: false, only: null, profileDir: null, rounds: null, whatIf: false, wakes: null, pushCapS: null };
  for (const a of argv) {
    if (a === '--json') args.json = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--scale') args.scale = true;
    else if (a === '--what-if') args.whatIf = true;
    else if (a.startsWith('--wakes=')) args.wakes = Math.max(100, Number(a.slice('--wakes='.length)) || 100);
    else if (a.startsWith('--push-cap=')) args.pushCapS = Math.max(0, Number(a.slice('--push-cap='.length)) || 0);
    else if (a === '--profile') args.profileDir = 'bench/profiles';
    else if (a.startsWith('--profile=')) args.profileDir = a.slice('--profile='.length);
    else if (a.startsWith('--only=')) args.only = a.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--rounds=')) args.rounds = Math.max(1, Number(a.slice('--rounds='.length)) || 1);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'npm run bench -- [--quick] [--json] [--only=codec,sessions,push,scale] [--rounds=N] [--profile[=dir]] [--what-if] [--wakes=N] [--push-cap=S]\n' +
          '  (--scale is accepted and changes nothing: every run includes the scale suite)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown flag ${a} (try --help)`);
  }
  for (const s of args.only ?? []) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`unknown suite ${s}; known: ${SUITES.join(', ')}`);
  return args;
}
