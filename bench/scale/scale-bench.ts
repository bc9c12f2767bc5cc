import type { SuiteContext } from '../lib/suite.js';

/** Scale suite (1M devices, RSS with 1,000 sessions in flight, two gateway processes): work in progress. */
export async function runScaleBench(ctx: SuiteContext): Promise<void> {
  ctx.reporter.note('scale suite not implemented yet');
}
