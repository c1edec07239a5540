// A fixed-rate (open-loop) HTTP load generator that runs in its own process: startLoad() spawns this
// file, which runs createLoad() and answers snapshot/stop messages over IPC.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const ERROR_KINDS = ['refused', 'reset', 'timeout', 'status', 'other'];
/** Failed and slow requests kept with their times per run (the counts are always complete). */
const MAX_ERROR_SAMPLES = 1000;

/**
 * Spawns a load generator process aimed at `url`: `rate` requests per second on a fixed schedule,
 * `freshShare` (0-1) of them on a new connection (`Connection: close`), the rest on a keep-alive
 * agent of at most `maxSockets`; a request unanswered after `timeoutMs` counts as a timeout. `env` is
 * added to the child's environment. Resolves once the load runs, with `{pid, snapshot(), stop()}`:
 * `snapshot()` resolves with the counts so far and the PIDs seen, `stop()` with the final result.
 */
export async function startLoad({
  url,
  rate,
  freshShare = 0.2,
  timeoutMs = 5000,
  maxSockets = 64,
  env = {},
}) {
  const child = fork(SELF, [JSON.stringify({ url, rate, freshShare, timeoutMs, maxSockets })], {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 0;
  let exited = null;
  let started;
  const ready = new Promise((resolve, reject) => {
    started = { resolve, reject };
  });
  child.on('message', (message) => {
    if (message.type === 'ready') started.resolve();
    const waiter = pending.get(message.id);
    if (waiter) {
      pending.delete(message.id);
      waiter.resolve(message.data);
    }
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`the load generator exited (${code ?? signal})`);
    started.reject(exited);
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  const ask = (type, waitMs) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      nextId += 1;
      const id = nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the load generator did not answer ${type} within ${waitMs} ms`));
      }, waitMs);
      pending.set(id, {
        resolve: (data) => {
          clearTimeout(timer);
          resolve(data);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ type, id });
    });
  const kill = () => {
    if (!exited && child.pid !== undefined) child.kill('SIGKILL');
  };
  try {
    await ready;
  } catch (error) {
    kill();
    throw error;
  }
  return {
    pid: child.pid,
    snapshot: () => ask('snapshot', 10_000),
    /** Stops the schedule, waits for the requests in flight, and resolves with the result. */
    async stop() {
      try {
        return await ask('stop', timeoutMs + 15_000);
      } finally {
        kill();
      }
    },
    /** Kills the generator at once (cleanup after a failure). */
    kill,
  };
}

/**
 * The load itself, in the calling process: call `start()`, then `snapshot()` any time and `stop()`
 * once (resolves with the result after the requests in flight settle). Options as for startLoad, plus
 * `slowMs`: successful requests at least this slow are kept in `slowSamples` with their times.
 */
export function createLoad({ url, rate, freshShare = 0.2, timeoutMs = 5000, maxSockets = 64, slowMs = 100 }) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const intervalMs = 1000 / rate;
  const latencies = [];
  const lags = [];
  const errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0]));
  const errorSamples = [];
  const slowSamples = [];
  const pids = new Map();
  const inFlight = new Set();
  let resetOnReused = 0;
  let sent = 0;
  let fresh = 0;
  let ok = 0;
  let startedAt = 0;
  let startedEpoch = 0;
  let stoppedAt = null;
  let timer = null;

  const tick = () => {
    const now = performance.now();
    const due = Math.floor((now - startedAt) / intervalMs) + 1;
    while (sent < due) send(startedAt + sent * intervalMs, now);
    timer = setTimeout(tick, 1);
  };

  function send(scheduledAt, now) {
    const isFresh = Math.floor((sent + 1) * freshShare) > Math.floor(sent * freshShare);
    sent += 1;
    if (isFresh) fresh += 1;
    lags.push(now - scheduledAt);
    const settle = (kind, detail) => {
      if (!inFlight.delete(req)) return;
      clearTimeout(deadline);
      if (kind === null) {
        ok += 1;
        const latency = performance.now() - scheduledAt;
        latencies.push(latency);
        if (latency >= slowMs && slowSamples.length < MAX_ERROR_SAMPLES)
          slowSamples.push({
            at: epochNow(),
            latencyMs: latency,
            fresh: isFresh,
            reused: Boolean(req.reusedSocket),
          });
        return;
      }
      errors[kind] += 1;
      if (kind === 'reset' && req.reusedSocket) resetOnReused += 1;
      if (errorSamples.length < MAX_ERROR_SAMPLES)
        errorSamples.push({ at: epochNow(), kind, detail, reused: Boolean(req.reusedSocket) });
    };
    const req = request(target, {
      agent: isFresh ? false : agent,
      headers: isFresh ? { connection: 'close' } : {},
    });
    inFlight.add(req);
    const deadline = setTimeout(() => {
      settle('timeout', `no answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode < 200 || res.statusCode > 299) return settle('status', `HTTP ${res.statusCode}`);
        notePid(Buffer.concat(chunks).toString('utf8'));
        settle(null);
      });
      res.on('error', (error) => settle(classify(error), error.message));
    });
    req.on('error', (error) => settle(classify(error), error.code ?? error.message));
    req.end();
  }

  function notePid(text) {
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      return;
    }
    if (!Number.isInteger(answer?.pid)) return;
    const at = epochNow();
    const seen = pids.get(answer.pid);
    if (seen) {
      seen.lastAt = at;
      seen.count += 1;
    } else {
      pids.set(answer.pid, {
        pid: answer.pid,
        instance: answer.instance ?? null,
        firstAt: at,
        lastAt: at,
        count: 1,
      });
    }
  }

  const counts = () => ({
    sent,
    fresh,
    ok,
    failed: ERROR_KINDS.reduce((sum, kind) => sum + errors[kind], 0),
    inFlight: inFlight.size,
    errors: { ...errors },
    resetOnReused,
    pids: [...pids.values()].map((entry) => ({ ...entry })),
  });

  return {
    start() {
      startedAt = performance.now();
      startedEpoch = epochNow();
      tick();
    },
    snapshot: counts,
    async stop() {
      clearTimeout(timer);
      stoppedAt = performance.now();
      const deadline = performance.now() + timeoutMs + 5000;
      while (inFlight.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      agent.destroy();
      const windowMs = stoppedAt - startedAt;
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        ...counts(),
        rate,
        freshShare,
        startedAt: startedEpoch,
        windowMs,
        sentRate: (sent * 1000) / windowMs,
        okRate: (ok * 1000) / windowMs,
        latencyMs: {
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? null,
        },
        lagMs: { p99: percentile(lags, 99), max: lags.length ? Math.max(...lags) : null },
        errorSamples,
        slowSamples,
      };
    },
  };
}

/** The error kind of a failed request: refused, reset, timeout or other. */
export function classify(error) {
  switch (error?.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

function epochNow() {
  return performance.timeOrigin + performance.now();
}

async function runChild() {
  const load = createLoad(JSON.parse(process.argv[2]));
  load.start();
  process.on('message', async (message) => {
    if (message.type === 'snapshot') process.send({ id: message.id, data: load.snapshot() });
    if (message.type === 'stop') {
      const data = await load.stop();
      process.send({ id: message.id, data }, () => process.disconnect());
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}

if (process.argv[1] === SELF && process.send) await runChild();
