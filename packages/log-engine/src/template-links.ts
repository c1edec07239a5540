import type { Cluster } from './template-cluster.js';

/** The live template `cluster` was merged into (itself while alive); undefined once the chain was dropped. */
export function follow(cluster: Cluster): Cluster | undefined {
  let c: Cluster | undefined = cluster;
  while (c !== undefined && !c.alive) c = c.into;
  return c;
}

/** The live template whose id the lines of `cluster` answer with (itself unless it is another's shape). */
export function ownerOf(cluster: Cluster): Cluster {
  let c = cluster;
  for (let hops = 0; hops < 8 && c.owner !== undefined; hops++) {
    const owner = follow(c.owner);
    if (owner === undefined || owner === c) break;
    c = owner;
  }
  return c;
}

/** The id printed online for a line of `cluster`: the id lent by its family while it waits to merge. */
export function onlineId(cluster: Cluster): number {
  const lender = cluster.provisional === undefined ? undefined : follow(cluster.provisional);
  return lender?.id ?? cluster.id;
}
