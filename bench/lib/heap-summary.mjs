// A V8 heap snapshot (.heapsnapshot JSON) summed by what its nodes are: self size and count per kind.

/**
 * Sums the self size of every node of a snapshot by kind: the constructor name for objects,
 * `(string)`, `(closure) name`, `(code)`, `(array)` … for the rest.
 */
export function summarizeSnapshot(snapshot) {
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = types[typeAt];
  const { nodes, strings } = snapshot;
  const byName = {};
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = typeNames[nodes[i + typeAt]];
    const size = nodes[i + sizeAt];
    const name = kindOf(type, strings[nodes[i + nameAt]]);
    byName[name] ??= { size: 0, count: 0 };
    const entry = byName[name];
    entry.size += size;
    entry.count += 1;
    total += size;
  }
  return { total, byName };
}

function kindOf(type, name) {
  if (type === 'object' || type === 'native') return name.length > 60 ? `${name.slice(0, 60)}…` : name;
  if (type === 'closure') return '(closure)';
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(string)';
  if (type === 'hidden' || type === 'object shape' || type === 'code')
    return `(${type}) ${name.slice(0, 40)}`;
  return `(${type})`;
}
