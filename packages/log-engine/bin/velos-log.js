#!/usr/bin/env node
// The velos-log command. A file of its own (not dist/cli.js): pnpm links the bins of a workspace when it
// installs, before the build has made dist/, and warned once per package that depends on this one.
await import('../dist/cli.js');
