/**
 * The device simulator and the fake WNS are test kit (test/support/, DESIGN.md layout). `simulate` is the one
 * command that needs them, so it loads them here, dynamically, when it runs: `serve` and the other commands never
 * load test code, and a build without test/ fails with a clear message instead of at start-up.
 */
import type * as FakeWnsModule from '../../test/support/fake-wns.js';
import type * as SimulatorModule from '../../test/support/simulator/index.js';

export type SimulatorKit = typeof SimulatorModule & Pick<typeof FakeWnsModule, 'startFakeWns'>;

export class SimulatorKitMissingError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('simulate needs the device simulator and fake WNS from test/support/ (run it from a checkout of omadm-gateway)', options);
    this.name = 'SimulatorKitMissingError';
  }
}

export async function loadSimulatorKit(): Promise<SimulatorKit> {
  try {
    const [simulator, fake] = await Promise.all([import('../../test/support/simulator/index.js'), import('../../test/support/fake-wns.js')]);
    return { ...simulator, startFakeWns: fake.startFakeWns };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new SimulatorKitMissingError({ cause: error });
    throw error;
  }
}
