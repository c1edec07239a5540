// `node scripts/pack.mjs [dest]`: builds everything, then packs every publishable package into dest
// (default dist-pack/) with `pnpm pack`, which turns workspace:* into the version; docs/releasing.md.
import { resolve } from 'node:path';
import { installAndBuild, root } from './lib/bootstrap.mjs';
import { packAll } from './lib/pack-install.mjs';

const dest = resolve(process.argv[2] ?? resolve(root, 'dist-pack'));
installAndBuild();
const tarballs = await packAll(dest);
for (const [name, tarball] of [...tarballs].sort()) console.log(`${name.padEnd(20)} ${tarball}`);
