import type { Reporter } from './report.js';

/** What every suite gets from bench/run.ts. */
export interface SuiteContext {
  reporter: Reporter;
  quick: boolean;
  /** --rounds=N, else the suite's own default. */
  rounds: number | null;
  /** --profile: write CPU profiles of the measured processes here (absolute path), else null. */
  profileDir: string | null;
  /** PostgreSQL URL (DATABASE_URL, else the team default). */
  databaseUrl: string;
  /** --what-if: add SQLite gateways with synchronous=NORMAL and with a yield before each statement beside the real one. */
  whatIf: boolean;
  /** --wakes=N. */
  wakes: number | null;
  /** --push-cap=S: stop waiting for a gateway's fan-out after S seconds (0: never); null: the suite's default. */
  pushCapS: number | null;
}
