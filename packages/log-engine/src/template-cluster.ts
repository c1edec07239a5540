import { TOKEN_LITERAL, TOKEN_MASKED, TOKEN_VARIABLE, type TokenBuffer } from './token-buffer.js';

/** One template: a token sequence where variable positions hold a placeholder. Internal to the miner. */
export interface Cluster {
  id: number;
  leafKey: string;
  norm: string[];
  kind: Uint8Array;
  spaced: Uint8Array;
  listed: Uint8Array;
  /** Positions that are not variable. */
  fixed: number;
  count: number;
  text: string | undefined;
  alive: boolean;
  /** The cluster this one was merged into. */
  into: Cluster | undefined;
  /** Ids merged into this cluster. */
  aliases: number[] | undefined;
  /** The template this one is another shape of (other token count): its lines answer with the owner's id. */
  owner?: Cluster;
  /** How many templates are shapes of this one (a template with shapes is never made a shape itself). */
  shapes: number;
  /** Online only: the template whose id this young variant answers with until its family merges. */
  provisional?: Cluster;
  /** Keys of the families (templates waiting to merge) this cluster belongs to. */
  families: string[] | undefined;
  older: Cluster | undefined;
  newer: Cluster | undefined;
}

/** True when a token is a quoted string kept with its words (`"GET <path>"`). */
export function isQuoted(norm: string): boolean {
  const c = norm.charCodeAt(0);
  return c === 34 || c === 39 || c === 96;
}

export function createCluster(id: number, leafKey: string, b: TokenBuffer): Cluster {
  const n = b.count;
  const cluster: Cluster = {
    id,
    leafKey,
    norm: b.norm.slice(0, n),
    kind: b.kind.slice(0, n),
    spaced: b.spaced.slice(0, n),
    listed: b.listed.slice(0, n),
    fixed: 0,
    count: 1,
    text: undefined,
    alive: true,
    into: undefined,
    aliases: undefined,
    families: undefined,
    shapes: 0,
    older: undefined,
    newer: undefined,
  };
  countFixed(cluster);
  return cluster;
}

export function countFixed(cluster: Cluster): void {
  let fixed = 0;
  for (let i = 0; i < cluster.kind.length; i++) if (cluster.kind[i] !== TOKEN_VARIABLE) fixed++;
  cluster.fixed = fixed;
}

/** The template text: tokens with their original spacing, lists marked with `…`. */
export function renderCluster(cluster: Cluster): string {
  if (cluster.text !== undefined) return cluster.text;
  let text = '';
  for (let i = 0; i < cluster.norm.length; i++) {
    if (cluster.spaced[i] === 1) text += ' ';
    text += cluster.norm[i];
    if (cluster.listed[i] === 1) text += '…';
  }
  cluster.text = text;
  return text;
}

/**
 * Counts the positions where `b` contradicts the template (a literal of the template that the line does
 * not have), stopping past `limit`; variable positions accept anything.
 */
export function countDifferences(cluster: Cluster, b: TokenBuffer, limit: number): number {
  let diff = 0;
  const norm = cluster.norm;
  const kind = cluster.kind;
  const lineKind = b.kind;
  for (let i = 0; i < b.count; i++) {
    const k = kind[i];
    if (k === TOKEN_VARIABLE || norm[i] === b.norm[i]) continue;
    // A word with masked parts (blk_<num>) already is a value: it accepts any other masked token. Not a
    // quoted string: its words are constants ("GET <path>" is not "POST <path>").
    if (k === TOKEN_MASKED && lineKind[i] !== TOKEN_LITERAL && !isQuoted(norm[i]!)) continue;
    if (++diff > limit) return diff;
  }
  return diff;
}

/**
 * Folds the line `b`, which matches `cluster`, into it: placeholders that saw different values become
 * `<*>`; returns true when a literal position became a placeholder.
 */
export function absorbLine(cluster: Cluster, b: TokenBuffer): boolean {
  let generalised = false;
  cluster.count++;
  for (let i = 0; i < b.count; i++) {
    const k = cluster.kind[i];
    if (k !== TOKEN_LITERAL && cluster.norm[i] !== '<*>' && cluster.norm[i] !== b.norm[i]) {
      if (k === TOKEN_MASKED) {
        cluster.fixed--;
        generalised = true;
      }
      cluster.kind[i] = TOKEN_VARIABLE;
      cluster.norm[i] = '<*>';
      cluster.text = undefined;
    }
    if (b.listed[i] === 1 && cluster.listed[i] === 0) {
      cluster.listed[i] = 1;
      cluster.text = undefined;
    }
  }
  return generalised;
}

/** True when every line matching `b` also matches `a` (same length assumed). */
export function subsumes(a: Cluster, b: Cluster): boolean {
  for (let i = 0; i < a.norm.length; i++) {
    const k = a.kind[i];
    if (k === TOKEN_VARIABLE) continue;
    if (b.kind[i] === TOKEN_VARIABLE) return false;
    if (
      a.norm[i] !== b.norm[i] &&
      !(k === TOKEN_MASKED && b.kind[i] === TOKEN_MASKED && !isQuoted(a.norm[i]!))
    )
      return false;
  }
  return true;
}

/** Makes position `i` of `into` variable when `from` disagrees with it there. */
export function absorbCluster(into: Cluster, from: Cluster): void {
  into.count += from.count;
  for (let i = 0; i < into.norm.length; i++) {
    if (
      into.norm[i] !== from.norm[i] ||
      (into.kind[i] === TOKEN_VARIABLE) !== (from.kind[i] === TOKEN_VARIABLE)
    ) {
      makeVariable(into, i);
    }
    if (from.listed[i] === 1) into.listed[i] = 1;
  }
  into.text = undefined;
  countFixed(into);
}

export function makeVariable(cluster: Cluster, i: number): void {
  if (cluster.kind[i] === TOKEN_VARIABLE && cluster.norm[i] === '<*>') return;
  cluster.kind[i] = TOKEN_VARIABLE;
  cluster.norm[i] = '<*>';
  cluster.text = undefined;
}

/** A key equal for clusters with the same template. */
export function clusterKey(cluster: Cluster): string {
  let key = cluster.leafKey;
  for (let i = 0; i < cluster.norm.length; i++) {
    key += cluster.kind[i] === TOKEN_VARIABLE ? '\u0000' : `\u0001${cluster.norm[i]}`;
  }
  return key;
}
