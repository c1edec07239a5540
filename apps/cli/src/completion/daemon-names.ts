import { connectDaemon } from '@velos/client/quick';
import type { AlertStatus, ProcessInfo, ReportedComponent } from '@velos/core';
import type { CompletionAnswer } from './complete-words.js';

/** What a name of the command line stands for (`CompletionAnswer` of kind `names`). */
export type NameSource = Extract<CompletionAnswer, { kind: 'names' }>['source'];

/**
 * The names a daemon that already runs knows for `source` (never started for this); none when no
 * daemon answers within `timeoutMs`. One connection and one request of the protocol, without the
 * client's command table: this runs at each Tab, from the quick bundle dist/velos-complete.cjs.
 */
export async function daemonNames(home: string, source: NameSource, timeoutMs: number): Promise<string[]> {
  let connection: Awaited<ReturnType<typeof connectDaemon>>['connection'] | null = null;
  try {
    connection = (await connectDaemon(home, false)).connection;
    const ask = (cmd: string) => connection!.request(cmd, {}, timeoutMs);
    if (source === 'rule')
      return ((await ask('alerts')) as { alerts: AlertStatus[] }).alerts.map((alert) => alert.rule.name);
    if (source === 'component')
      return ((await ask('components')) as { components: ReportedComponent[] }).components.map((c) => c.name);
    const processes = ((await ask('list')) as { processes: ProcessInfo[] }).processes;
    if (source === 'job') return processes.filter((p) => p.type === 'job').map((p) => p.name);
    const names = processes.map((p) => p.name);
    if (source === 'app') return names;
    const namespaces = processes.map((p) => p.namespace).filter((namespace) => namespace !== 'default');
    return [...names, ...namespaces, 'all'];
  } catch {
    return [];
  } finally {
    connection?.close();
  }
}
