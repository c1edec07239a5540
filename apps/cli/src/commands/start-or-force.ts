import { basename } from 'node:path';
import { type AppSpec, ErrorCodes, isVelosError, type VelosControl, VelosError } from '@velos/core';

/** The fields that say what an app runs: `-f` adds instances of the running app, never another program. */
const COMMAND_FIELDS = ['script', 'args', 'interpreter', 'interpreterArgs'] as const;

/**
 * Starts the apps; an app of that name that runs already is an error, unless `-f` (PM2: start it once
 * more), which adds the new instances to the running app, with its own command and settings: a `-f`
 * that names another script, other arguments or another interpreter, or a job (one instance), is
 * refused rather than ignored. A config `file`'s app that runs already points to its reload.
 */
export async function startOrForce(
  client: Pick<VelosControl, 'start' | 'scale' | 'describe'>,
  specs: AppSpec[],
  isForced: boolean,
  file?: { path: string; typed: string },
): Promise<void> {
  try {
    await client.start(specs);
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.NAME_IN_USE) throw error;
    const name = (error.data as { name?: string } | undefined)?.name;
    const spec = specs.find((s) => s.name === name);
    if (file !== undefined && name !== undefined && (await isFromFile(client, name, file.path))) {
      // the file started it: -f cannot apply (several apps), a reload of the file can
      const ids = (error.data as { ids?: number[] } | undefined)?.ids ?? [];
      throw new VelosError(
        error.code,
        `'${name}' of ${basename(file.path)} runs already (id ${ids.join(', ')}): velos config reload ${file.typed} applies the file's changes, velos startOrRestart ${file.typed} restarts its apps`,
        { data: error.data },
      );
    }
    if (!isForced || spec === undefined || specs.length > 1) {
      const hint = isForced || specs.length > 1 || spec === undefined ? '' : startHint(spec);
      throw new VelosError(error.code, `${error.message}${hint}`, { data: error.data });
    }
    const [running] = await client.describe(spec.name);
    if (running?.spec.type === 'job') {
      // a second instance of a job would run beside the first: its runs would overlap
      throw new VelosError(
        error.code,
        `'${spec.name}' is a job, which runs one instance, never several at once: -f cannot add one ` +
          `(velos trigger ${spec.name} runs it now)`,
        { data: error.data },
      );
    }
    const isOther = COMMAND_FIELDS.some(
      (field) => running !== undefined && JSON.stringify(running.spec[field]) !== JSON.stringify(spec[field]),
    );
    if (isOther) {
      throw new VelosError(
        error.code,
        `'${spec.name}' runs ${commandOf(running!.spec)}; -f adds instances of it (its script, arguments ` +
          `and interpreter), so ${commandOf(spec)} would not run: delete it first (velos delete ${spec.name}) ` +
          'or give another --name',
        { data: error.data },
      );
    }
    await client.scale(spec.name, `+${spec.instances}`);
  }
}

/** What a second start of `spec` alone may mean instead: `-f` adds instances, which a job never has. */
function startHint(spec: AppSpec): string {
  if (spec.type === 'job') return ` (a job runs one instance: velos trigger ${spec.name} runs it now)`;
  return ' (or add -f to start more instances of it)';
}

async function isFromFile(
  client: Pick<VelosControl, 'describe'>,
  name: string,
  file: string,
): Promise<boolean> {
  const [running] = await client.describe(name).catch(() => []);
  return running?.spec.source?.file === file;
}

/**
 * What a spec runs, as the refusal names it: the interpreter and its arguments too when set, since a
 * -f that differs only there would otherwise read "'c' runs app.js; … so app.js would not run".
 */
function commandOf(spec: Pick<AppSpec, 'script' | 'args' | 'interpreter' | 'interpreterArgs'>): string {
  const command = [spec.script, ...spec.args].join(' ');
  const interpreterArgs = spec.interpreterArgs.join(' ');
  if (spec.interpreter !== undefined) {
    return `${command} (interpreter ${[spec.interpreter, interpreterArgs].filter(Boolean).join(' ')})`;
  }
  return interpreterArgs === '' ? command : `${command} (interpreter args ${interpreterArgs})`;
}
