/** A plist value as the minimal parser below reads it. */
export type PlistValue = string | boolean | PlistValue[] | { [key: string]: PlistValue };

/**
 * Parses the subset of XML plists Velos writes (dict, array, key, string, true, false) and throws on
 * anything not well-formed: unbalanced or mismatched tags, text outside a string or key, bad entities.
 */
export function parsePlist(xml: string): PlistValue {
  const body = xml
    .replace(/^<\?xml[^?]*\?>\s*/, '')
    .replace(/<!DOCTYPE[^>]*>/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const tokens = body.match(/<[^>]*>|[^<]+/g) ?? [];
  let at = 0;
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error('unexpected end of the document');
    return token;
  };
  const skipSpace = (): void => {
    while (at < tokens.length && /^\s+$/.test(tokens[at]!)) at++;
  };
  const text = (tag: string): string => {
    let value = '';
    if (!tokens[at]?.startsWith('<')) value = decode(next());
    if (next() !== `</${tag}>`) throw new Error(`<${tag}> is not closed`);
    return value;
  };
  const value = (): PlistValue => {
    skipSpace();
    const open = next();
    if (open === '<true/>') return true;
    if (open === '<false/>') return false;
    if (open === '<string>') return text('string');
    if (open === '<array>') {
      const items: PlistValue[] = [];
      for (skipSpace(); tokens[at] !== '</array>'; skipSpace()) items.push(value());
      at++;
      return items;
    }
    if (open === '<dict>') {
      const dict: { [key: string]: PlistValue } = {};
      for (skipSpace(); tokens[at] !== '</dict>'; skipSpace()) {
        if (next() !== '<key>') throw new Error('a dict holds <key> before each value');
        const key = text('key');
        dict[key] = value();
      }
      at++;
      return dict;
    }
    throw new Error(`unexpected ${open}`);
  };
  skipSpace();
  if (next() !== '<plist version="1.0">') throw new Error('no <plist version="1.0">');
  const root = value();
  skipSpace();
  if (next() !== '</plist>') throw new Error('<plist> is not closed');
  skipSpace();
  if (at !== tokens.length) throw new Error('content after </plist>');
  return root;
}

function decode(raw: string): string {
  return raw.replace(/&(\w+);|&/g, (match, name: string | undefined) => {
    const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const decoded = name === undefined ? undefined : entities[name];
    if (decoded === undefined) throw new Error(`bad entity ${match}`);
    return decoded;
  });
}
