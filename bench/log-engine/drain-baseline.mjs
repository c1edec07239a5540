// A plain Drain (He et al., ICWS 2017) written from the paper, for a baseline: fixed-depth prefix tree
// (token count, then the first depth-2 tokens; tokens with digits go down a wildcard branch), similarity
// = equal tokens / length, a template position becomes <*> when a matched line differs there.
// One default configuration for every dataset: depth 4, similarity threshold 0.4, 100 children, no masks.

const WILDCARD = '<*>';

export function createDrain({ depth = 4, similarity = 0.4, maxChildren = 100 } = {}) {
  const root = new Map();
  const clusters = [];
  const prefixDepth = depth - 2;

  function leafFor(tokens, create) {
    let level = root.get(tokens.length);
    if (!level) {
      if (!create) return undefined;
      level = { children: new Map(), clusters: [] };
      root.set(tokens.length, level);
    }
    for (let i = 0; i < Math.min(prefixDepth, tokens.length); i++) {
      const token = /\d/.test(tokens[i]) ? WILDCARD : tokens[i];
      let next = level.children.get(token);
      if (!next) next = level.children.get(WILDCARD);
      if (
        !next ||
        (create && token !== WILDCARD && !level.children.has(token) && level.children.size < maxChildren)
      ) {
        if (!create) return next;
        const key = level.children.size < maxChildren - 1 || token === WILDCARD ? token : WILDCARD;
        next = level.children.get(key) ?? { children: new Map(), clusters: [] };
        level.children.set(key, next);
      }
      level = next;
    }
    return level;
  }

  function best(leaf, tokens) {
    let chosen;
    let bestSim = -1;
    let bestParams = -1;
    for (const cluster of leaf.clusters) {
      let same = 0;
      let params = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (cluster.template[i] === WILDCARD) params++;
        else if (cluster.template[i] === tokens[i]) same++;
      }
      const sim = same / tokens.length;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        chosen = cluster;
        bestSim = sim;
        bestParams = params;
      }
    }
    return bestSim >= similarity ? chosen : undefined;
  }

  return {
    /** Adds a line; returns its cluster id. */
    add(line) {
      const tokens = line.trim().split(/\s+/).filter(Boolean);
      const found = leafFor(tokens, false);
      const cluster = found && best(found, tokens);
      if (cluster) {
        for (let i = 0; i < tokens.length; i++)
          if (cluster.template[i] !== tokens[i]) cluster.template[i] = WILDCARD;
        return cluster.id;
      }
      const created = { id: clusters.length + 1, template: tokens };
      clusters.push(created);
      leafFor(tokens, true).clusters.push(created);
      return created.id;
    },
  };
}
