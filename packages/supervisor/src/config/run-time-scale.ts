import type { AppSource, AppSpec } from '@velos/core';

/**
 * CFG-2, SUP-5: the link (`source`) of an app that `velos scale` took from `instances` to `count` at
 * run time. It records the count the file gave (`fileInstances`: kept from an earlier scale, else
 * `instances`), so that reloads of the file keep `count`; a scale back to the file's count drops it.
 * @example scaledSource({ file }, 3, 1) // { file, fileInstances: 3 }
 */
export function scaledSource(source: AppSource, instances: number, count: number): AppSource {
  const { fileInstances = instances, ...link } = source;
  return count === fileInstances ? link : { ...link, fileInstances };
}

/**
 * CFG-2: the spec a reload gives an app linked as `old`, from the file's `next`: the count `velos scale`
 * set at run time while the file still gives the count it replaced; the file's count (and no record)
 * once the file gives another.
 */
export function withRunTimeScale(old: AppSpec, next: AppSpec): AppSpec {
  const fileInstances = old.source?.fileInstances;
  // a service scaled at run time that the file makes a job takes the job's one instance
  if (fileInstances === undefined || next.instances !== fileInstances || !next.source || next.type === 'job')
    return next;
  return { ...next, instances: old.instances, source: { ...next.source, fileInstances } };
}
