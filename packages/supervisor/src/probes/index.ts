export {
  createProbeManager,
  type ProbeManager,
  type ProbeManagerOptions,
  type ProbeName,
  probesOf,
  times,
  whyNotReady,
} from './probe-manager.js';
export {
  computeHealth,
  initialProbeState,
  nextProbeState,
  type ProbeState,
  type ProbeStatus,
  type ProbeThresholds,
} from './probe-state.js';
