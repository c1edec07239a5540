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
await import('../dist/main.js');
