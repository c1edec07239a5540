import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, onlineRows, outLog, velosOk, waitFor } from './helpers.js';

afterEach(cleanupHomes);

describe('cluster mode: a child the app forks', () => {
  // child_process.fork() passes the worker's execArgv on, with the --import of the cluster primary's
  // script: that child ran as a primary without arguments and exited 2 ("usage: cluster-primary …")
  it('runs the app’s own code and talks to its parent over IPC', async () => {
    const home = createHome();
    const parent = join(home, 'forker.js');
    writeFileSync(
      join(home, 'child.js'),
      "process.send({ hello: 'from child' }); setTimeout(() => process.exit(0), 100);\n",
    );
    writeFileSync(
      parent,
      [
        "const { fork } = require('node:child_process');",
        "const child = fork(require('node:path').join(__dirname, 'child.js'));",
        "child.on('message', (m) => console.log('parent got', m.hello));",
        "child.on('exit', (code) => console.log('child exit', code));",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    await velosOk(['start', parent, '-i', '2', '--name', 'forker'], { home });
    await onlineRows(home, 'forker', 2);
    const text = () =>
      existsSync(outLog(home, 'forker')) ? readFileSync(outLog(home, 'forker'), 'utf8') : '';
    await waitFor(() => text().split('child exit').length === 3, {
      message: () => `both workers' children to exit; out log: ${text()}`,
    });
    expect(text().match(/parent got from child/g)).toHaveLength(2);
    expect(text().match(/child exit 0/g)).toHaveLength(2);
  });
});
