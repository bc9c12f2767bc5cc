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
  /** --scale was given (the push suite then also runs 100,000 wakes on SQLite). */
  scale: boolean;
  /** --wakes=N. */
  wakes: number | null;
}
