export {
  createProbeManager,
  type ProbeManager,
  type ProbeManagerOptions,
  type ProbeName,
  probesOf,
  times,
} from './probe-manager.js';
export {
  computeHealth,
  initialProbeState,
  nextProbeState,
  type ProbeState,
  type ProbeStatus,
  type ProbeThresholds,
} from './probe-state.js';
