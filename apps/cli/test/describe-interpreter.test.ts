import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderProcessDetails } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

const plain = createColors(false);

/** The `interpreter` row of `velos describe` for a process that runs `command` for `script`. */
function interpreterRow(
  script: string,
  command: { file: string; args: string[]; shell: boolean },
  interpreter?: string,
) {
  const base = processDetail();
  const detail = {
    ...base,
    command,
    spec: { ...base.spec, script, ...(interpreter ? { interpreter } : {}) },
  };
  return /^ {2}interpreter +(.*)$/m.exec(renderProcessDetails([detail], plain))?.[1];
}

describe('velos describe: what runs the script', () => {
  it('names the program: chosen by extension, a shell for a command line, none for a program run directly', () => {
    expect(
      interpreterRow('/srv/api/server.js', {
        file: '/usr/bin/node',
        args: ['/srv/api/server.js'],
        shell: false,
      }),
    ).toBe('/usr/bin/node (by extension)');
    expect(interpreterRow('sleep 600', { file: '/bin/sh', args: ['-c', 'sleep 600'], shell: true })).toBe(
      '/bin/sh (a command line)',
    );
    expect(interpreterRow('cat', { file: '/usr/bin/cat', args: [], shell: false })).toBe(
      'none (run directly)',
    );
    expect(
      interpreterRow('app.py', { file: 'python3.12', args: ['app.py'], shell: false }, 'python3.12'),
    ).toBe('python3.12');
  });

  it('says a script without a known extension runs by its #! line (bin/www, a script not executable)', () => {
    expect(
      interpreterRow('/srv/api/bin/www', { file: '/usr/bin/node', args: ['/srv/api/bin/www'], shell: false }),
    ).toBe('/usr/bin/node (by its #! line)');
    expect(
      interpreterRow('/srv/worker', { file: '/usr/bin/env', args: ['python3', '/srv/worker'], shell: false }),
    ).toBe('/usr/bin/env (by its #! line)');
  });
});
