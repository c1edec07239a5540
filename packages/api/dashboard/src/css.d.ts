// The style sheets main.ts imports for their side effect: esbuild (build.mjs) bundles them into the
// page's CSS; to the type check they are modules with nothing to import.
declare module '*.css';
