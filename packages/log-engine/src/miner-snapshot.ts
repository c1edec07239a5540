import { createError, LogEngineErrorCodes } from './errors.js';
import { type Cluster, createCluster } from './template-cluster.js';
import { TOKEN_VARIABLE } from './token-buffer.js';

/** One template in a snapshot: tokens as `[text, kind, spaced, listed]`. */
export interface SnapshotCluster {
  id: number;
  count: number;
  tokens: [string, number, number, number][];
  /** The template this one is another shape of (its lines answer with that id). */
  owner?: number;
}

/** The JSON form of a `TemplateMiner`'s state (templates from least to most recently seen). */
export interface MinerSnapshot {
  version: 1;
  nextId: number;
  clusters: SnapshotCluster[];
  /** `[mergedId, liveId]` pairs. */
  aliases: [number, number][];
  /** `[key, positions, memberIds]` of templates waiting to be merged. */
  families: [string, number[], number[]][];
}

/** Checks that `value` is a `MinerSnapshot`; throws `STATE_CORRUPT` naming what is wrong. */
export function readSnapshot(value: unknown): MinerSnapshot {
  const fail = (path: string, expected: string): never => {
    throw createError(LogEngineErrorCodes.STATE_CORRUPT, `template snapshot: ${path}: expected ${expected}`);
  };
  if (!isObject(value)) return fail('(root)', 'an object');
  if (value.version !== 1) fail('version', '1');
  if (!isCount(value.nextId)) fail('nextId', 'a non-negative integer');
  if (!Array.isArray(value.clusters)) fail('clusters', 'an array');
  if (!Array.isArray(value.aliases)) fail('aliases', 'an array');
  if (!Array.isArray(value.families)) fail('families', 'an array');
  const clusters = value.clusters as unknown[];
  clusters.forEach((c, i) => {
    if (!isObject(c) || !isCount(c.id) || !isCount(c.count) || !Array.isArray(c.tokens)) {
      fail(`clusters[${i}]`, '{id, count, tokens}');
    }
    if ((c as { owner?: unknown }).owner !== undefined && !isCount((c as { owner?: unknown }).owner)) {
      fail(`clusters[${i}].owner`, 'a template id');
    }
    const tokens = (c as { tokens: unknown[] }).tokens;
    tokens.forEach((t, j) => {
      if (
        !Array.isArray(t) ||
        t.length !== 4 ||
        typeof t[0] !== 'string' ||
        !isFlag(t[1], 2) ||
        !isFlag(t[2], 1) ||
        !isFlag(t[3], 1)
      ) {
        fail(`clusters[${i}].tokens[${j}]`, '[text, kind 0-2, spaced 0-1, listed 0-1]');
      }
    });
  });
  (value.aliases as unknown[]).forEach((a, i) => {
    if (!Array.isArray(a) || a.length !== 2 || !isCount(a[0]) || !isCount(a[1]))
      fail(`aliases[${i}]`, '[id, id]');
  });
  (value.families as unknown[]).forEach((f, i) => {
    if (
      !Array.isArray(f) ||
      f.length !== 3 ||
      typeof f[0] !== 'string' ||
      !Array.isArray(f[1]) ||
      !f[1].every(isCount) ||
      !Array.isArray(f[2]) ||
      !f[2].every(isCount)
    ) {
      fail(`families[${i}]`, '[key, positions, ids]');
    }
  });
  return value as unknown as MinerSnapshot;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isFlag(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/** Rebuilds a cluster from its snapshot form. */
export function clusterFromSnapshot(saved: SnapshotCluster): Cluster {
  const n = saved.tokens.length;
  const cluster = createCluster(saved.id, '', {
    count: n,
    norm: saved.tokens.map((t) => t[0]),
    kind: Uint8Array.from(saved.tokens, (t) => t[1]),
    start: new Int32Array(n),
    end: new Int32Array(n),
    spaced: Uint8Array.from(saved.tokens, (t) => t[2]),
    listed: Uint8Array.from(saved.tokens, (t) => t[3]),
    hasC1: false,
    truncated: false,
  });
  cluster.count = saved.count;
  const first = n > 0 && cluster.kind[0] !== TOKEN_VARIABLE ? cluster.norm[0] : '*';
  cluster.leafKey = `${n}\u0001${first}`;
  return cluster;
}
