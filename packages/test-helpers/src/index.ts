export {
  type CliOptions,
  type CliResult,
  killSpawned,
  type RunNodeOptions,
  runNode,
  runVelos,
  runVelosOk,
  spawnNode,
  spawnVelos,
} from './cli-runner.js';
export { homePids, readPidFile, type SpawnDaemonOptions, spawnDaemon, stopHome } from './daemon.js';
export { freePort, freePorts } from './free-port.js';
export {
  assertHomeOpen,
  closeHome,
  HARNESS_ERROR_CODES,
  HarnessError,
  isHomeClosed,
  trackHomeChild,
} from './home-guard.js';
export { FIXTURES, fixture, REPO_ROOT, SERVER_BIN, VELOS_BIN } from './paths.js';
export {
  ancestorsOfSelf,
  descendantsOf,
  homeProcesses,
  isAlive,
  isHomePath,
  killChild,
  killPid,
  killTree,
  listProcs,
  mentionsHome,
  type ProcEntry,
  pidsWithEnv,
  SeenProcesses,
  startTicksOf,
} from './proc.js';
export { rejectionOf } from './rejection.js';
export { rssFallenToMb, rssMb, settledRssMb } from './rss.js';
export { hasOpenssl, makeSelfSigned, type SelfSigned } from './self-signed.js';
export { makeTempHome, removeTempHome, type TempHome } from './temp-home.js';
export {
  DEFAULT_WAIT_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type Truthy,
  type WaitForOptions,
  waitFor,
} from './wait-for.js';
