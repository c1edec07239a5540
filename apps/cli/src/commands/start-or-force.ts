import { type AppSpec, ErrorCodes, isVelosError, type VelosControl, VelosError } from '@velos/core';

/** The fields that say what an app runs: `-f` adds instances of the running app, never another program. */
const COMMAND_FIELDS = ['script', 'args', 'interpreter', 'interpreterArgs'] as const;

/**
 * Starts the apps; an app of that name that runs already is an error, unless `-f` (PM2: start it once
 * more), which adds the new instances to the running app, with its own command and settings: a `-f`
 * that names another script, other arguments or another interpreter, or a job (one instance), is
 * refused rather than ignored.
 */
export async function startOrForce(
  client: Pick<VelosControl, 'start' | 'scale' | 'describe'>,
  specs: AppSpec[],
  isForced: boolean,
): Promise<void> {
  try {
    await client.start(specs);
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.NAME_IN_USE) throw error;
    const name = (error.data as { name?: string } | undefined)?.name;
    const spec = specs.find((s) => s.name === name);
    if (!isForced || spec === undefined || specs.length > 1) {
      throw new VelosError(error.code, `${error.message} (or add -f to start more instances of it)`, {
        data: error.data,
      });
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

function commandOf(spec: Pick<AppSpec, 'script' | 'args'>): string {
  return [spec.script, ...spec.args].join(' ');
}
