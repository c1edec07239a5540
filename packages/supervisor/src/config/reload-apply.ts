import { basename } from 'node:path';
import { type AppSpec, ErrorCodes, toErrorPayload, VelosError } from '@velos/core';
import { type ApplyDeps, replaceSpec } from './config-apply.js';
import type { ReloadStep } from './reload-plan.js';

/** What applying the steps of a reload needs from the supervisor. */
export interface StepDeps extends ApplyDeps {
  log: (line: string) => void;
  /** The spec of every app in the table. */
  specs(): AppSpec[];
}

/** A step run (or tried), with what undoing it needs to know of the time before it. */
type Done = { step: ReloadStep; wasRunning: boolean };

/**
 * CFG-2: runs the steps of a reload in order. When one fails, the steps already run (and the one
 * that failed) are undone in reverse order: changed apps get their previous spec back (running again
 * if they ran), added apps are deleted, removed apps come back as they were; then it throws
 * `CONFIG_ROLLED_BACK` naming the step's error and what was rolled back.
 */
export async function applyReloadSteps(
  deps: StepDeps,
  file: string,
  steps: readonly ReloadStep[],
): Promise<void> {
  const done: Done[] = [];
  for (const step of steps) {
    if (step.kind !== 'add') await deps.settled(namesOf(step)[0]!);
    done.push({ step, wasRunning: step.kind !== 'add' && deps.isRunning(namesOf(step)[0]!) });
    try {
      await runStep(deps, step);
    } catch (error) {
      const { code, message } = toErrorPayload(error);
      const failures: string[] = [];
      for (const entry of done.reverse()) {
        try {
          await undoStep(deps, entry);
        } catch (undoError) {
          failures.push(`${namesOf(entry.step).join(', ')}: ${toErrorPayload(undoError).message}`);
        }
      }
      const names = done.flatMap((entry) => namesOf(entry.step));
      const after =
        failures.length === 0 ? 'the apps run as before' : `undoing failed for ${failures.join('; ')}`;
      const why = `${basename(file)}: applying the file failed at ${namesOf(step).join(', ')}: ${message}; rolled back ${names.join(', ')}: ${after}`;
      deps.log(`config ${file}: ${why}`);
      throw new VelosError(ErrorCodes.CONFIG_ROLLED_BACK, why, {
        data: { file, rolledBack: names, cause: { code, message } },
        cause: error,
      });
    }
  }
}

async function runStep(deps: ApplyDeps, step: ReloadStep): Promise<void> {
  if (step.kind === 'remove') await deps.control.delete(step.spec.name);
  else if (step.kind === 'add') await deps.control.start(step.specs);
  else await replaceSpec(deps, step.before, step.after);
}

async function undoStep(deps: StepDeps, { step, wasRunning }: Done): Promise<void> {
  const exists = (name: string): boolean => deps.specs().some((spec) => spec.name === name);
  if (step.kind === 'add') {
    for (const spec of step.specs) if (exists(spec.name)) await deps.control.delete(spec.name);
  } else if (step.kind === 'change') {
    await replaceSpec(deps, step.after, step.before, { isStartWanted: wasRunning });
  } else if (!exists(step.spec.name)) {
    await restore(deps, step.spec, wasRunning);
  } else if (wasRunning && !deps.isRunning(step.spec.name)) {
    await deps.control.start([step.spec]);
  }
}

/** Brings a deleted app back with its spec: started, and stopped again when it was not running. */
async function restore(deps: ApplyDeps, spec: AppSpec, wasRunning: boolean): Promise<void> {
  await deps.control.start([spec]);
  if (!wasRunning) await deps.control.stop(spec.name);
}

function namesOf(step: ReloadStep): string[] {
  if (step.kind === 'add') return step.specs.map((spec) => spec.name);
  return [step.kind === 'remove' ? step.spec.name : step.after.name];
}
