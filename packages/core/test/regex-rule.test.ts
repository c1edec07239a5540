import { describe, expect, it } from 'vitest';
import { checkRegexSource, compileRegexSource, isRegexTarget, regexTargetError } from '../src/regex-rule.js';

const refusal = (run: () => unknown): unknown => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return { message: (error as Error).message, data: (error as { data?: unknown }).data };
  }
};

describe('the regex rule shared by the daemon and the CLI', () => {
  it('refuses a source over its limit, a backreference and a lookaround, by field', () => {
    expect(refusal(() => checkRegexSource('grep', 'a'.repeat(11), 10))).toEqual({
      message: 'grep: expected at most 10 characters, got 11',
      data: { field: 'grep', detail: 'expected at most 10 characters, got 11' },
    });
    for (const source of ['(a)\\1', '(?<x>a)\\k<x>', '(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b']) {
      expect(refusal(() => checkRegexSource('target', source, 200))).toMatchObject({
        message: `target: backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported, got ${JSON.stringify(source)}`,
      });
    }
    expect(refusal(() => checkRegexSource('target', '^api-(a|b)+$', 200))).toBe('accepted');
  });

  it('compiles with flags, a syntax error named by field', () => {
    expect(compileRegexSource('grep', 'API', 'i').test('api')).toBe(true);
    expect(refusal(() => compileRegexSource('grep', '('))).toEqual({
      message: 'grep: invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
      data: {
        field: 'grep',
        detail: 'invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
      },
    });
  });

  it('words a refused /regex/ target the same from every surface', () => {
    const thrown = (() => {
      try {
        return compileRegexSource('target', '(');
      } catch (caught) {
        return caught;
      }
    })();
    const error = regexTargetError('/(/', thrown);
    expect([error.code, error.message]).toEqual([
      'INVALID_ARGUMENT',
      'target /(/: invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
    ]);
    expect([isRegexTarget('/^a/'), isRegexTarget('//'), isRegexTarget('api')]).toEqual([true, false, false]);
  });
});
