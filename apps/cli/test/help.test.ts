import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import { renderCommandHelp, renderGlobalHelp, renderVersionHelp } from '../src/help.js';

// the feature ids of the team's spec (SUP-5, ENG-8…) mean nothing to a user reading --help
const SPEC_ID = /\b(?:API|CFG|CLI|ENG|IPC|LOG|MCP|OBS|SUP)-\d/;

describe('help texts', () => {
  it('name no internal feature id, in the global help or any command help', () => {
    const texts = [
      ['velos --help', renderGlobalHelp('0.0.0')],
      ['velos version --help', renderVersionHelp()],
      ...COMMANDS.map((spec) => [`velos ${spec.name} --help`, renderCommandHelp(spec)]),
    ];
    const leaks = texts.flatMap(([title, text]) =>
      text!
        .split('\n')
        .filter((line) => SPEC_ID.test(line))
        .map((line) => `${title}: ${line.trim()}`),
    );
    expect(leaks).toEqual([]);
  });

  it('shows in velos --help each <placeholder> a command summary names (watchdog spoke of a hidden <timeout>)', () => {
    const missing = COMMANDS.filter((spec) => !spec.hidden).flatMap((spec) => {
      const usage = spec.shortArgsUsage ?? spec.argsUsage ?? '';
      const named = spec.summary.match(/<[^>]+>/g) ?? [];
      return named
        .filter((word) => !usage.includes(word) && !usage.includes(`[${word.slice(1, -1)}]`))
        .map((word) => `${spec.name}: ${word}`);
    });
    expect(missing).toEqual([]);
  });

  it('gives velos version a help of its own, with the options it takes', () => {
    const help = renderVersionHelp();
    expect(help).toMatch(/^Usage: velos version \[options\]/);
    expect(help).toContain('--json');
    expect(help).toContain('-h, --help');
  });
});
