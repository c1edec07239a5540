import { createError, LogEngineErrorCodes } from './errors.js';
import { leafKeyOf, lineKey } from './line-keys.js';
import type { MaskOptions } from './masks.js';
import {
  clusterFromSnapshot,
  type MinerSnapshot,
  readSnapshot,
  type SnapshotCluster,
} from './miner-snapshot.js';
import { alignsWith } from './template-align.js';
import {
  absorbCluster,
  absorbLine,
  type Cluster,
  countDifferences,
  countFixed,
  createCluster,
  makeVariable,
  renderCluster,
  subsumes,
} from './template-cluster.js';
import { type Family, familyKey, lendsItsId, requiredVariants } from './template-family.js';
import { follow, onlineId, ownerOf } from './template-links.js';
import { TOKEN_LITERAL, TOKEN_VARIABLE, type TokenBuffer } from './token-buffer.js';
import { Tokenizer, withoutC1 } from './tokenizer.js';

/** Options of `TemplateMiner`; the defaults need no tuning per log source. */
export interface TemplateMinerOptions {
  /** Templates kept at most; the least recently seen is dropped beyond it (default 1000). */
  maxTemplates?: number;
  masks?: MaskOptions;
  /**
   * Ids for printing at once (`velos-log templates --stream`): the first line of a new variant of a young
   * template answers with the id its family will keep if it merges, so printed ids need no later revision.
   * Default false: each line gets the id of the template it belongs to now.
   */
  online?: boolean;
  /** Called when template `fromId` is merged into `intoId` (its lines now belong to `intoId`). */
  onMerge?: (fromId: number, intoId: number) => void;
  /** Called when template `id` is dropped to respect `maxTemplates`, with its last text. */
  onEvict?: (id: number, template: string) => void;
}

/** A line matched against the known templates. */
export interface TemplateMatch {
  templateId: number;
  template: string;
  /** Raw text of each token of the line that holds a placeholder in the template, in order. */
  params: string[];
}

/** A template and how many lines it grouped. */
export interface TemplateInfo {
  id: number;
  template: string;
  count: number;
}

// Words seen at a variable position of some template are values: a template that differs from a sibling only
// by such words merges at once. Bounded: the set restarts when full.
const MAX_VALUE_WORDS = 8192;
// A line that fits no template of its token count is tried against templates of up to this many tokens more
// or less, at most MAX_ALIGNMENTS of them.
const MAX_LENGTH_DIFFERENCE = 4;
const MAX_ALIGNMENTS = 64;
// Quoted strings of at most this many tokens keep their words ("GET <path> HTTP/<num>.<num>"); longer
// ones are free text (a user agent, an SQL statement) and become <str>.
const QUOTED_TOKENS = 6;
// A merged template keeps at least this many literal tokens.
const MIN_LITERALS = 2;

/**
 * Online template miner: a fixed-depth tree (token count, first token) over masked tokens, where a
 * literal position turns into a placeholder only after it has shown enough different values: a family of
 * templates equal but at that position merges (template-family.ts).
 *
 * @example
 * const miner = new TemplateMiner();
 * const id = miner.add('Connected to 10.0.0.1:5432 in 12ms');
 * miner.template(id); // 'Connected to <ip> in <dur>'
 */
export class TemplateMiner {
  private readonly tokenizer: Tokenizer;
  private readonly maxTemplates: number;
  private readonly onMerge: ((fromId: number, intoId: number) => void) | undefined;
  private readonly onEvict: ((id: number, template: string) => void) | undefined;
  private readonly leaves = new Map<string, Cluster[]>();
  private readonly byId = new Map<number, Cluster>();
  private readonly aliases = new Map<number, number>();
  private readonly families = new Map<string, Family>();
  private readonly cache = new Map<string, Cluster>();
  private readonly valueWords = new Set<string>();
  private readonly online: boolean;
  private readonly cacheLimit: number;
  private newest: Cluster | undefined;
  private oldest: Cluster | undefined;
  private nextId = 1;

  constructor(options: TemplateMinerOptions = {}) {
    const max = options.maxTemplates ?? 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `maxTemplates: expected a positive integer, got ${max}`,
      );
    }
    this.maxTemplates = max;
    this.tokenizer = new Tokenizer({
      masks: options.masks,
      collapseLists: true,
      lazyLiterals: true,
      emptyValues: true,
      quotedTokens: QUOTED_TOKENS,
      maxTokens: 200,
    });
    this.onMerge = options.onMerge;
    this.online = options.online ?? false;
    this.onEvict = options.onEvict;
    this.cacheLimit = Math.max(1024, max * 4);
  }

  /** Restores a miner from `snapshot()` output; throws `STATE_CORRUPT` when the data is not a snapshot. */
  static restore(snapshot: unknown, options: TemplateMinerOptions = {}): TemplateMiner {
    const data = readSnapshot(snapshot);
    const miner = new TemplateMiner(options);
    miner.nextId = data.nextId;
    for (const saved of data.clusters) miner.insert(clusterFromSnapshot(saved));
    for (const saved of data.clusters) {
      const owner = saved.owner === undefined ? undefined : miner.byId.get(saved.owner);
      const cluster = miner.byId.get(saved.id);
      if (owner !== undefined && cluster !== undefined && owner !== cluster) cluster.owner = owner;
    }
    for (const [from, to] of data.aliases) {
      const target = miner.byId.get(to);
      if (!target) continue;
      miner.aliases.set(from, to);
      if (target.aliases === undefined) target.aliases = [];
      target.aliases.push(from);
    }
    for (const [key, positions, ids] of data.families) {
      const members = ids.map((id) => miner.byId.get(id)).filter((c): c is Cluster => c !== undefined);
      if (members.length < 2) continue;
      miner.families.set(key, { positions, members });
      for (const member of members) member.families = [...(member.families ?? []), key];
    }
    while (miner.byId.size > miner.maxTemplates) miner.evictOldest();
    return miner;
  }

  /** Number of live templates. */
  get size(): number {
    return this.byId.size;
  }

  /** Mines one line (a message, without its timestamp) and returns the id of its template. */
  add(line: string): number {
    let b = this.tokenizer.tokenize(line);
    // a lone C1 control stays out of the template (one flag looked at per line, see `withoutC1`)
    if (b.hasC1) {
      line = withoutC1(line);
      b = this.tokenizer.tokenize(line);
    }
    const key = lineKey(b, line);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const live = follow(cached);
      if (live !== undefined) {
        live.count++;
        this.touch(live);
        return this.answer(live);
      }
      this.cache.delete(key);
    }
    this.tokenizer.materialize(b, line);
    const cluster = this.place(b);
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(key, cluster);
    return this.answer(cluster);
  }

  /** The id a line of `cluster` answers with: its owner's when it is a shape of another template. */
  private answer(cluster: Cluster): number {
    let c = cluster;
    for (let hops = 0; hops < 8 && c.owner !== undefined; hops++) {
      const owner = follow(c.owner);
      if (owner === undefined || owner === c) {
        c.owner = undefined;
        break;
      }
      owner.count++;
      this.touch(owner);
      c = owner;
    }
    return this.online ? onlineId(c) : c.id;
  }

  /** Finds the template of `line` without learning from it; undefined when no template fits. */
  match(line: string): TemplateMatch | undefined {
    let b = this.tokenizer.tokenize(line);
    if (b.hasC1) {
      line = withoutC1(line);
      b = this.tokenizer.tokenize(line);
    }
    this.tokenizer.materialize(b, line);
    const cluster = this.findExact(this.leaves.get(leafKeyOf(b)), b);
    if (cluster === undefined) return undefined;
    const params: string[] = [];
    for (let i = 0; i < b.count; i++) {
      if (cluster.kind[i] === TOKEN_VARIABLE || cluster.norm[i]!.includes('<')) {
        params.push(line.slice(b.start[i], b.end[i]));
      }
    }
    const owner = ownerOf(cluster);
    return { templateId: owner.id, template: renderCluster(owner), params };
  }

  /** The live id of a template id (ids merged away resolve to their target); undefined once dropped. */
  resolve(id: number): number | undefined {
    if (this.byId.has(id)) return id;
    const to = this.aliases.get(id);
    return to !== undefined && this.byId.has(to) ? to : undefined;
  }

  /** Template text of an id (resolving merges); undefined once dropped. */
  template(id: number): string | undefined {
    const live = this.resolve(id);
    return live === undefined ? undefined : renderCluster(this.byId.get(live)!);
  }

  /** Lines grouped so far by the template of `id`. */
  count(id: number): number {
    const live = this.resolve(id);
    return live === undefined ? 0 : this.byId.get(live)!.count;
  }

  /** All live templates, most frequent first. */
  templates(): TemplateInfo[] {
    const list: TemplateInfo[] = [];
    for (const c of this.byId.values()) {
      if (ownerOf(c) === c) list.push({ id: c.id, template: renderCluster(c), count: c.count });
    }
    return list.sort((a, b) => b.count - a.count || a.id - b.id);
  }

  /** The state as plain JSON data, for `TemplateMiner.restore`. */
  snapshot(): MinerSnapshot {
    const clusters: SnapshotCluster[] = [];
    for (let c = this.oldest; c !== undefined; c = c.newer) {
      const owner = ownerOf(c);
      clusters.push({
        id: c.id,
        count: c.count,
        tokens: c.norm.map((norm, i) => [norm, c.kind[i]!, c.spaced[i]!, c.listed[i]!]),
        ...(owner === c ? {} : { owner: owner.id }),
      });
    }
    const families: [string, number[], number[]][] = [];
    for (const [key, family] of this.families) {
      const ids = family.members.filter((m) => m.alive).map((m) => m.id);
      if (ids.length > 1) families.push([key, family.positions, ids]);
    }
    return { version: 1, nextId: this.nextId, clusters, aliases: [...this.aliases], families };
  }

  private place(b: TokenBuffer): Cluster {
    const leafKey = leafKeyOf(b);
    let leaf = this.leaves.get(leafKey);
    if (leaf === undefined) {
      leaf = [];
      this.leaves.set(leafKey, leaf);
    }
    const exact = this.findExact(leaf, b);
    if (exact !== undefined) {
      this.touch(exact);
      const generalised = absorbLine(exact, b);
      if (exact.fixed < exact.norm.length) this.learnValues(exact, b);
      return generalised ? this.foldSubsumed(exact) : exact;
    }
    let near: Cluster | undefined;
    let nearDiff = Number.POSITIVE_INFINITY;
    for (const c of leaf) {
      const limit = Math.min(Math.max(1, Math.floor(c.fixed / 3)), c.fixed - MIN_LITERALS, nearDiff - 1);
      if (limit < 1) continue;
      const diff = countDifferences(c, b, limit);
      if (diff <= limit) {
        near = c;
        nearDiff = diff;
      }
    }
    const created = createCluster(this.nextId++, leafKey, b);
    if (near !== undefined) {
      // The new template copies the placeholders of its near sibling, so both differ only at `positions`.
      const positions: number[] = [];
      for (let i = 0; i < b.count; i++) {
        if (near.kind[i] === TOKEN_VARIABLE) {
          created.kind[i] = TOKEN_VARIABLE;
          // the sibling's placeholder names its own value: `user=app` under `host=<ip>` is `user=<*>`
          created.norm[i] = near.norm[i] === b.norm[i] ? near.norm[i]! : '<*>';
        } else if (near.norm[i] !== b.norm[i]) {
          positions.push(i);
        }
      }
      countFixed(created);
      this.touch(near);
      this.insert(created, leaf);
      const placed = this.joinFamily(near, created, positions);
      // A new template that took placeholders from its sibling may cover older templates of the leaf.
      return placed === created && created.fixed < b.count - countVariables(b)
        ? this.foldSubsumed(created)
        : placed;
    }
    created.owner = this.findOwner(b, leafKey);
    if (created.owner !== undefined) created.owner.shapes++;
    this.insert(created, leaf);
    return created;
  }

  /** A template of another token count that the line `b` is an instance of (see `alignsWith`). */
  private findOwner(b: TokenBuffer, leafKey: string): Cluster | undefined {
    const first = leafKey.slice(leafKey.indexOf('\u0001'));
    let tried = 0;
    for (let d = 1; d <= MAX_LENGTH_DIFFERENCE; d++) {
      for (const count of [b.count - d, b.count + d]) {
        for (const c of this.leaves.get(`${count}${first}`) ?? []) {
          if (c.owner !== undefined || ++tried > MAX_ALIGNMENTS) continue;
          if (alignsWith(c, b)) return c;
        }
      }
    }
    return undefined;
  }

  private findExact(leaf: Cluster[] | undefined, b: TokenBuffer): Cluster | undefined {
    if (leaf === undefined) return undefined;
    let best: Cluster | undefined;
    for (const c of leaf) {
      if ((best === undefined || c.fixed > best.fixed) && countDifferences(c, b, 0) === 0) best = c;
    }
    return best;
  }

  /** Adds `created` to the family of templates equal to `near` but at `positions`; merges it when large. */
  private joinFamily(near: Cluster, created: Cluster, positions: number[]): Cluster {
    const key = familyKey(near, positions);
    let family = this.families.get(key);
    if (family === undefined) {
      family = { positions, members: [near] };
      if (this.families.size >= this.maxTemplates * 4)
        this.families.delete(this.families.keys().next().value!);
      this.families.set(key, family);
    }
    if (!near.alive) return created;
    if (!family.members.includes(near)) family.members.push(near);
    family.members.push(created);
    for (const member of [near, created]) {
      if (member.families === undefined) member.families = [key];
      else if (!member.families.includes(key)) member.families.push(key);
    }
    const required = requiredVariants(family, this.valueWords);
    if (family.members.length < required) {
      if (lendsItsId(near, positions, family, required)) created.provisional = near;
      return created;
    }
    this.families.delete(key);
    const members = family.members.sort((a, b) => a.id - b.id);
    const target = members[0]!;
    for (const i of positions) {
      for (const m of members) if (m.kind[i] === TOKEN_LITERAL) this.addValue(m.norm[i]!);
      makeVariable(target, i);
    }
    for (const m of members) if (m !== target) this.mergeInto(m, target);
    return this.foldSubsumed(target);
  }

  /** Makes the templates of other token counts that `target` now covers shapes of it (their ids merge). */
  private adoptShapes(target: Cluster): void {
    if (target.owner !== undefined) return;
    const first = target.leafKey.slice(target.leafKey.indexOf('\u0001'));
    const n = target.norm.length;
    let tried = 0;
    for (let d = -MAX_LENGTH_DIFFERENCE; d <= MAX_LENGTH_DIFFERENCE; d++) {
      if (d === 0) continue;
      for (const c of this.leaves.get(`${n + d}${first}`) ?? []) {
        if (c.owner !== undefined || !c.alive || ++tried > MAX_ALIGNMENTS || c.shapes > 0) continue;
        if (!alignsWith(target, { count: c.norm.length, norm: c.norm, kind: c.kind })) continue;
        target.shapes++;
        c.owner = target;
        target.count += c.count;
        this.onMerge?.(c.id, target.id);
      }
    }
  }

  /** Merges into `target` the templates of its leaf that it now covers; the oldest id survives. */
  private foldSubsumed(target: Cluster): Cluster {
    this.adoptShapes(target);
    let survivor = target;
    for (const c of [...(this.leaves.get(target.leafKey) ?? [])]) {
      if (c === survivor || !c.alive || !subsumes(survivor, c)) continue;
      if (c.id < survivor.id) {
        this.mergeInto(survivor, c);
        survivor = c;
      } else {
        this.mergeInto(c, survivor);
      }
    }
    return survivor;
  }

  private mergeInto(from: Cluster, target: Cluster): void {
    absorbCluster(target, from);
    this.unlink(from);
    from.alive = false;
    from.into = target;
    const ids = [from.id, ...(from.aliases ?? [])];
    for (const id of ids) this.aliases.set(id, target.id);
    if (target.aliases === undefined) target.aliases = [];
    target.aliases.push(...ids);
    this.onMerge?.(from.id, target.id);
  }

  private insert(cluster: Cluster, leaf?: Cluster[]): void {
    let list = leaf ?? this.leaves.get(cluster.leafKey);
    if (list === undefined) {
      list = [];
      this.leaves.set(cluster.leafKey, list);
    }
    list.push(cluster);
    this.byId.set(cluster.id, cluster);
    cluster.older = this.newest;
    if (this.newest) this.newest.newer = cluster;
    this.newest = cluster;
    this.oldest ??= cluster;
    if (this.byId.size > this.maxTemplates) this.evictOldest();
  }

  private evictOldest(): void {
    const victim = this.oldest;
    if (victim === undefined) return;
    this.unlink(victim);
    victim.alive = false;
    for (const id of victim.aliases ?? []) this.aliases.delete(id);
    this.onEvict?.(victim.id, renderCluster(victim));
  }

  /** Removes a cluster from its leaf, its families, the id table and the recency list. */
  private unlink(cluster: Cluster): void {
    for (const key of cluster.families ?? []) {
      const family = this.families.get(key);
      if (family === undefined) continue;
      family.members = family.members.filter((m) => m !== cluster);
      if (family.members.length < 2) this.families.delete(key);
    }
    cluster.families = undefined;
    const leaf = this.leaves.get(cluster.leafKey);
    if (leaf !== undefined) {
      const at = leaf.indexOf(cluster);
      if (at >= 0) leaf.splice(at, 1);
      if (leaf.length === 0) this.leaves.delete(cluster.leafKey);
    }
    this.byId.delete(cluster.id);
    if (cluster.older) cluster.older.newer = cluster.newer;
    else this.oldest = cluster.newer;
    if (cluster.newer) cluster.newer.older = cluster.older;
    else this.newest = cluster.older;
    cluster.older = undefined;
    cluster.newer = undefined;
  }

  /** Remembers the literal words of `b` that sit at variable positions of `cluster`. */
  private learnValues(cluster: Cluster, b: TokenBuffer): void {
    for (let i = 0; i < b.count; i++) {
      if (cluster.kind[i] === TOKEN_VARIABLE && b.kind[i] === TOKEN_LITERAL) this.addValue(b.norm[i]!);
    }
  }

  private addValue(word: string): void {
    if (this.valueWords.size >= MAX_VALUE_WORDS) this.valueWords.clear();
    this.valueWords.add(word);
  }

  private touch(cluster: Cluster): void {
    if (this.newest === cluster) return;
    if (cluster.older) cluster.older.newer = cluster.newer;
    else this.oldest = cluster.newer;
    cluster.newer!.older = cluster.older;
    cluster.older = this.newest;
    cluster.newer = undefined;
    this.newest!.newer = cluster;
    this.newest = cluster;
  }
}

/** Masked tokens of a tokenised line. */
function countVariables(b: TokenBuffer): number {
  let n = 0;
  for (let i = 0; i < b.count; i++) if (b.kind[i] === TOKEN_VARIABLE) n++;
  return n;
}
