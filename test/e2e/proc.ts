// The /proc helpers live in @velos/test-helpers; this module keeps the path the tests import.
export {
  ancestorsOfSelf,
  descendantsOf,
  homeProcesses,
  isAlive,
  killChild,
  killPid,
  listProcs,
  mentionsHome,
  type ProcEntry,
  SeenProcesses,
} from '@velos/test-helpers';
