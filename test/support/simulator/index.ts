/** The simulated Windows DMClient device: library entry point for tests, the CLI `simulate` and benchmarks. */
export { runSimulation, deviceIdFor, type RunSimulationOptions, type SimulationResult } from './run-simulation.js';
export { formatSummary, summarize, stats, type SimulationSummary, type LatencyStats } from './simulation-summary.js';
export { SimulatedDevice, type SimulatedDeviceOptions, type DeviceSessionRecord, type SessionReason, type SessionExtras } from './simulated-device.js';
export { runDmSession, type DmTransport, type SessionReport, type SessionEnd, type SessionParams } from './dm-session.js';
export { createHttpTransport, DmHttpError, assertLoopback, type HttpTransportOptions, type SyncMLCodec, type SyncMLEncoding } from './http-transport.js';
export { SimClock, DAY, HOUR, MINUTE, type DeviceClock } from './sim-clock.js';
export { InMemoryWnsRegistrar, WnsRegistrationError, type WnsRegistrar, type WakeNotification, type WnsRegistration } from './wns-registrar.js';
export { fakeWnsRegistrar, type FakeWnsRegistrar } from './fake-wns-registrar.js';
export { PushChannel, PushStatus } from './push-channel.js';
export { CspTree } from './csp-tree.js';
export { buildDeviceTree, pushPaths, providerRoot, LARGE_OBJECT_PATH, REBOOT_NOW_PATH, type DeviceProfile } from './device-tree.js';
export { UNENROLL_ALERT, type GenericAlert } from './device-package.js';
export { scriptedServer, serverMessage, get, replace, add, del, exec, atomic, sequence, alert, SERVER_URL } from './scripted-server.js';
export { createLimiter } from './limiter.js';
export { runWakeLoop, DEMO_PFN, type OperatorApi, type WakeLoopOptions, type WakeLoopProgress, type WakeLoopPhase } from './wake-loop.js';
export { formatWakeLoopReport, type WakeLoopReport } from './wake-loop-report.js';
export { DEMO_COMMANDS, parseDemoCommands, DemoCommandError } from './demo-commands.js';
