import { type AppSpec, ErrorCodes, isVelosError, type VelosControl, VelosError } from '@velos/core';

/**
 * Starts the apps; an app of that name that runs already is an error, unless `-f` (PM2: start it once
 * more), which adds the new instances to the running app.
 */
export async function startOrForce(
  client: Pick<VelosControl, 'start' | 'scale'>,
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
    await client.scale(spec.name, `+${spec.instances}`);
  }
}
