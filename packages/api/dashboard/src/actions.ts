import type { ProcessInfo } from '@velos/core';
import { ApiError, api, seg } from './api.js';
import { askConfirm } from './components/confirm-dialog.js';
import { plural } from './format.js';
import { scaleTarget } from './scale-input.js';
import { applyProcesses, getState, setOutcome } from './store.js';

/** What the page can do to an app. */
export type ActionName = 'restart' | 'reload' | 'stop' | 'delete' | 'scale' | 'trigger';

/**
 * Runs an action on an app after a confirmation where it takes something away (stop, delete,
 * scale down), and records the outcome (the new PIDs or the error) beside the app. A scale box that
 * asks for no valid count (see `scaleTarget`) is refused here, before any confirmation; a valid one
 * is sent as the count it leads to, the one the confirmation named.
 */
export async function runAction(app: string, action: ActionName, instances?: string): Promise<boolean> {
  const before = [...getState().processes.values()].filter((p) => p.name === app);
  let count: number | undefined;
  if (action === 'scale') {
    const target = scaleTarget(app, before.length, instances ?? '');
    if (target.error !== undefined) {
      setOutcome(app, { action, isOk: false, text: `scale: ${target.error}` });
      return false;
    }
    count = target.count;
  }
  const question = confirmation(app, action, before.length, count);
  if (question && !(await askConfirm(question))) return false;
  try {
    const path = `/processes/${seg(app)}`;
    const result =
      action === 'delete'
        ? await api<{ processes: ProcessInfo[] }>(path, { method: 'DELETE' })
        : await api<{ processes: ProcessInfo[] }>(`${path}/${action}`, {
            method: 'POST',
            body: action === 'scale' ? { instances: String(count) } : {},
          });
    const after = result?.processes ?? [];
    if (action === 'delete') {
      applyProcesses(
        [],
        false,
        before.map((p) => p.id),
      );
    } else {
      applyProcesses(after, false, action === 'scale' ? removedIds(before, after) : []);
    }
    setOutcome(app, { action, isOk: true, text: describeOutcome(action, before, after) });
    return true;
  } catch (error) {
    const message =
      error instanceof ApiError && error.status === 403
        ? 'this token is read-only: sign in with the admin token to act'
        : error instanceof Error
          ? error.message
          : String(error);
    setOutcome(app, { action, isOk: false, text: `${action} failed: ${message}` });
    return false;
  }
}

/** The confirmation a destructive action needs (`target`: the instance count a scale leads to), or null. */
function confirmation(
  app: string,
  action: ActionName,
  count: number,
  target?: number,
): { title: string; body: string; confirm: string } | null {
  if (action === 'stop') {
    return {
      title: `Stop ${app}?`,
      body:
        count === 1
          ? `${app} will be stopped until you start it again.`
          : `All ${count} instances of ${app} will be stopped until you start them again.`,
      confirm: 'Stop',
    };
  }
  if (action === 'delete') {
    return {
      title: `Delete ${app}?`,
      body: `${app} is stopped and removed from Velos; its log files stay on disk.`,
      confirm: 'Delete',
    };
  }
  if (action === 'scale' && target !== undefined) {
    if (target < count) {
      return {
        title: `Scale ${app} down to ${target}?`,
        body: `${plural(count - target, 'instance')} of ${app} will be stopped.`,
        confirm: 'Scale down',
      };
    }
  }
  return null;
}

function describeOutcome(action: ActionName, before: ProcessInfo[], after: ProcessInfo[]): string {
  const pids = (list: ProcessInfo[]) => list.map((p) => p.pid ?? '–').join(', ') || '–';
  switch (action) {
    case 'restart':
    case 'reload':
      return `${action === 'restart' ? 'restarted' : 'reloaded'} · pid ${pids(before)} → ${pids(after)}`;
    case 'stop':
      return 'stopped';
    case 'delete':
      return 'deleted';
    case 'scale':
      return `scaled to ${after.length} instance${after.length === 1 ? '' : 's'}`;
    case 'trigger':
      return 'run started';
  }
}

function removedIds(before: ProcessInfo[], after: ProcessInfo[]): number[] {
  const kept = new Set(after.map((p) => p.id));
  return after.length < before.length ? before.filter((p) => !kept.has(p.id)).map((p) => p.id) : [];
}
