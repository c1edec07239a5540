#!/usr/bin/env node
// `docker stop` right after the start: a SIGTERM or SIGINT that comes before the daemon has its own
// handlers (its code still loading, the config and TLS files being read) ends velos-server with status
// 0, as nothing runs yet; it ended with 143 (killed by the signal). Once the daemon listens too, it
// alone answers the signal: it saves the state and stops the apps.
const stopEarly = (signal) => {
  if (process.listenerCount(signal) === 1) process.exit(0);
};
process.on('SIGTERM', stopEarly);
process.on('SIGINT', stopEarly);

// npm installs msgpackr's optional native accelerator beside @velos/core: msgpackr reads this variable
// when it loads (with the supervisor, first) and then loads no native addon, as the velos bundles do.
// It is removed before the server runs, so that the apps do not inherit it.
const NATIVE_OFF = 'MSGPACKR_NATIVE_ACCELERATION_DISABLED';
const nativeWas = process.env[NATIVE_OFF];
process.env[NATIVE_OFF] = 'true';
try {
  await import('@velos/supervisor');
} finally {
  if (nativeWas === undefined) delete process.env[NATIVE_OFF];
  else process.env[NATIVE_OFF] = nativeWas;
}
await import('../dist/main.js');
