// Replays every transcript in this folder (*.xml, *.syncml) against a fresh in-process gateway on a fresh embedded
// SQLite database, exactly as `omadm-gateway replay` does. A failure prints the readable report (message number,
// element path, broken rule, unmet expectation). The corpus and what each file proves: docs/transcripts.md.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatReplayReport } from '../../src/transcript/replay-report.js';
import { replayFile } from '../../src/transcript/run-replay-command.js';
import { startInProcessGateway } from '../../src/transcript/start-in-process-gateway.js';
import { TRANSCRIPT_FILE } from '../../src/transcript/read-transcript-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((name) => TRANSCRIPT_FILE.test(name)).sort();

describe('transcript corpus', () => {
  it('holds at least 20 transcripts', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s', async (name) => {
    const report = await replayFile(join(here, name), { startGateway: (options) => startInProcessGateway(options) });
    expect(report.purpose, `${name} has no one-line purpose in its header`).toBeTruthy();
    if (!report.ok) expect.fail(formatReplayReport(report, { verbose: true }));
  });
});
