import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/classifier.js';
import { LogEngine } from '../src/log-engine.js';
import { compileUserRules, USER_RULE_LIMITS, userPatternProblem } from '../src/user-rules.js';

describe('compileUserRules', () => {
  it('compiles {match, level, stream}; a leading (?i) ignores case', () => {
    const [plain, folded, onErr] = compileUserRules([
      { match: '^legacy call:', level: 'warn' },
      { match: '(?i)cache miss', level: 'info' },
      { match: 'retrying', level: 'error', stream: 'err' },
    ]);
    expect(plain).toEqual({ level: 'warn', pattern: /^legacy call:/ });
    expect(folded).toEqual({ level: 'info', pattern: /cache miss/i });
    expect(onErr).toEqual({ level: 'error', pattern: /retrying/, stream: 'err' });
  });

  it('names the rule and the key of what is wrong', () => {
    const error = (rules: unknown) => {
      try {
        compileUserRules(rules, 'log_rules');
      } catch (caught) {
        return { code: (caught as { code: string }).code, message: (caught as Error).message };
      }
      throw new Error('expected an error');
    };
    expect(error([{ match: '(', level: 'warn' }])).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^log_rules\[0\]\.match: expected a valid regular expression: /),
    });
    expect(error([{ match: 'a', level: 'loud' }]).message).toBe(
      'log_rules[0].level: expected fatal, error, warn, info, debug, got "loud"',
    );
    expect(error([{ match: 'a', level: 'warn', stream: 'both' }]).message).toBe(
      'log_rules[0].stream: expected "out" or "err", got "both"',
    );
    expect(error([{ match: 'a', level: 'warn', regex: 'b' }]).message).toBe(
      'log_rules[0].regex: unknown key, expected match, level or stream',
    );
    expect(error({ match: 'a' }).message).toBe('log_rules: expected a list of {match, level} rules');
    const many = Array.from({ length: USER_RULE_LIMITS.maxRules + 1 }, () => ({ match: 'a', level: 'warn' }));
    expect(error(many).message).toBe('log_rules: expected at most 64 rules, got 65');
  });

  it('bounds the pattern and refuses nested quantifiers (catastrophic backtracking)', () => {
    expect(userPatternProblem('x'.repeat(USER_RULE_LIMITS.maxPatternChars))).toBeUndefined();
    expect(userPatternProblem('x'.repeat(USER_RULE_LIMITS.maxPatternChars + 1))).toMatch(/at most 512/);
    for (const bad of ['(a+)+$', '(\\w+\\s?)*x', '(?:x*){2,}y']) {
      expect(userPatternProblem(bad)).toMatch(/exponential time/);
    }
    for (const fine of ['(a|b)+', '^\\d+ms$', '\\(a+\\)+', 'GET /api/(users|items)/\\d+']) {
      expect(userPatternProblem(fine)).toBeUndefined();
    }
    expect(userPatternProblem('')).toMatch(/empty/);
  });
});

describe('createClassifier with userRules', () => {
  const classify = createClassifier({
    userRules: compileUserRules([
      { match: '^legacy call:', level: 'warn' },
      { match: 'cache miss', level: 'info' },
      { match: 'connection reset', level: 'fatal', stream: 'err' },
    ]),
  });

  it('tries the user rules before labels and the built-in rules', () => {
    expect(classify('legacy call: x()')).toBe('warn');
    // a user rule wins over a label and over a built-in word: a noisy level turned off
    expect(classify('ERROR cache miss for key 7')).toBe('info');
    expect(classify('cache miss: failed to load')).toBe('info');
    // a rule for one stream only
    expect(classify('connection reset by peer', { stream: 'err' })).toBe('fatal');
    expect(classify('connection reset by peer', { stream: 'out' })).toBe('info');
    // other lines as before
    expect(classify('ERROR boom')).toBe('error');
    expect(classify('all fine')).toBe('info');
  });

  it("matches a JSON line's message; its own level field still wins", () => {
    expect(classify('{"msg":"legacy call: y"}')).toBe('warn');
    expect(classify('{"level":"error","msg":"legacy call: y"}')).toBe('error');
  });

  it('is the same classifier without user rules', () => {
    const plain = createClassifier();
    const none = createClassifier({ userRules: [] });
    for (const line of ['legacy call: x', 'ERROR cache miss', 'WARN disk', 'fine', 'E0 failed']) {
      expect(none(line)).toBe(plain(line));
    }
  });

  it('gives the levels of the rules tried one by one, whatever their case, groups and flags', () => {
    const rules = compileUserRules([
      { match: '^Legacy', level: 'warn' },
      { match: '(?i)^quiet', level: 'debug' },
      { match: '(\\w)\\1{3}', level: 'fatal' },
      { match: 'slow (?<ms>\\d+)ms', level: 'error' },
    ]);
    const mixed = createClassifier({ userRules: rules });
    const multiline = createClassifier({ userRules: [...rules, { level: 'warn', pattern: /^tail$/m }] });
    const cases: [string, string][] = [
      ['Legacy call', 'warn'],
      // case-sensitive: the joined pass lets it through, the rule itself does not match
      ['legacy call', 'info'],
      ['QUIET please', 'debug'],
      ['aaaa', 'fatal'],
      ['abab', 'info'],
      ['slow 12ms', 'error'],
      ['WARN disk', 'warn'],
    ];
    for (const [line, level] of cases) {
      expect(mixed(line), line).toBe(level);
      expect(multiline(line), line).toBe(level);
    }
  });

  it('counts in the engine: summaries and searches use the rules', () => {
    const engine = new LogEngine({ userRules: compileUserRules([{ match: 'cache miss', level: 'info' }]) });
    engine.push({ line: 'ERROR cache miss' });
    engine.push({ line: 'ERROR boom' });
    expect(engine.summary().levels).toMatchObject({ error: 1, info: 1 });
  });
});
