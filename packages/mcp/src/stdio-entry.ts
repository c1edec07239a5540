// `@velos/mcp/stdio`: the lazy stdio front only (the SDK loads behind it, on demand).
export { type LazyStdioOptions, serveStdioLazy } from './lazy-stdio.js';
