import { ErrorCodes, VelosError } from '@velos/core';

/**
 * Imports a JavaScript process file. When the event loop runs dry with the import still pending (a
 * top-level `await` of a promise nothing will ever settle), Node would end the process with exit code 0
 * and no word, as if the start had worked: the import is rejected with INVALID_CONFIG instead.
 */
export function importSettled(href: string, label: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onDrained = () => {
      reject(
        new VelosError(
          ErrorCodes.INVALID_CONFIG,
          `${label}: never finished loading: a top-level await waits for a promise that nothing is left to settle (no timer, I/O or callback pending), so it exports no apps`,
        ),
      );
    };
    process.once('beforeExit', onDrained);
    const settle = () => process.off('beforeExit', onDrained);
    import(href).then(
      (module: Record<string, unknown>) => {
        settle();
        resolve(module);
      },
      (cause: unknown) => {
        settle();
        reject(cause);
      },
    );
  });
}
