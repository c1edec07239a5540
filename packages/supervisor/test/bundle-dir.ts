import { fileURLToPath } from 'node:url';

/** Where the daemon bundle for child-process tests is built (inside the package, so `@velos/*` resolve). */
export const TEST_BUNDLE_DIR = fileURLToPath(new URL('../node_modules/.velos-test/', import.meta.url));
