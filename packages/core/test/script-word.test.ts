import { describe, expect, it } from 'vitest';
import { namesScriptFile } from '../src/script-word.js';

describe('namesScriptFile', () => {
  it('is true for a path or a script file name', () => {
    for (const word of [
      'app.js',
      'srv/main.mjs',
      './run',
      '/opt/x',
      'job.py',
      'deploy.sh',
      'x.cts',
      ' a.ts ',
    ])
      expect(namesScriptFile(word), word).toBe(true);
  });

  it('is false for a program name, a command line or an empty word', () => {
    for (const word of ['redis-server', 'python3', 'node server.js', 'sleep 10', '', 'app.json'])
      expect(namesScriptFile(word), word).toBe(false);
  });
});
