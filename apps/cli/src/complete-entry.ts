import { completionAnswer, printAnswer } from './completion/run-complete.js';

/**
 * `velos __complete <index> <words…>`, what the completion scripts run at each Tab: bin/velos.js runs
 * this CommonJS bundle (dist/velos-complete.cjs, with its code cache) for it, as it runs dist/velos.cjs
 * for `velos list`. It holds the command table without the commands (their `import()`s are left out of
 * the bundle) and the client's small codec: the full CLI took ~0.06 s of CPU more than `node -e 0` a Tab.
 * Config keys (`config set <app> <key>=`) need the config schema: the full CLI answers those.
 */
const args = process.argv.slice(2);
const answer = args[0] === '__complete' ? completionAnswer(args.slice(1)) : undefined;

/** Whether this bundle runs the command line; bin/velos.js hands any other to the full CLI. */
export const isTaken = args[0] === '__complete' && answer?.kind !== 'config-keys';

if (answer && answer.kind !== 'config-keys') void printAnswer(answer);
