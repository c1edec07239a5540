import type { ProcessRecord } from '../process-record.js';
import type { SampledProcess } from './condition-tracker.js';

/** What the alert engine reads of a process for its state conditions. */
export function sampleOf(record: ProcessRecord): SampledProcess {
  return {
    id: record.id,
    name: record.app.spec.name,
    namespace: record.app.spec.namespace,
    status: record.status,
    ...(record.isStatusRestored ? { isStatusRestored: true } : {}),
    health: record.health?.state,
    memory: record.memory,
    cpu: record.cpu,
    // figures of the previous run (or none, for a run re-adopted from another daemon) are not this one's
    isMemoryKnown: record.pid === null || record.sampledPid === record.pid,
    isCpuKnown: record.pid === null || record.cpuSampledPid === record.pid,
  };
}
