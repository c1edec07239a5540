/**
 * The build's stamp of a bundle's content (its sha-256), on its first line (monit-build.ts): the code
 * caches of monit (monit/code-cache.ts) and of the quick paths (bin/velos.js) read their key there
 * instead of hashing the bundle, and do not load node:crypto (~10 ms of CPU on Node 24).
 */
export const CACHE_KEY_STAMP = '/*velos-cache-key:';
