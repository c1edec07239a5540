import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../src/template-miner.js';

function mine(lines: string[], miner = new TemplateMiner()): number[] {
  return lines.map((line) => miner.add(line));
}

describe('TemplateMiner grouping', () => {
  it('groups lines that differ only in masked values under one template', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'Connected to 10.0.0.1:5432 in 12ms',
        'Connected to 10.0.0.2:5432 in 7ms',
        'Connected to db.example.com:5432 in 1.5s',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
    expect(miner.template(ids[0]!)).toBe('Connected to <*> in <dur>');
    expect(miner.count(ids[0]!)).toBe(3);
  });

  it('keeps lines with different constant words apart', () => {
    const ids = mine(['Starting server', 'Stopping server', 'Server started on port 80', 'Server stopped']);
    expect(new Set(ids).size).toBe(4);
  });

  it('keeps a word with few values (an enum) in separate templates', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'onReceive action: android.intent.action.SCREEN_ON',
        'onReceive action: android.intent.action.SCREEN_OFF',
        'onReceive action: android.intent.action.SCREEN_ON',
        'onReceive action: android.intent.action.SCREEN_OFF',
      ],
      miner,
    );
    expect(ids[0]).toBe(ids[2]);
    expect(ids[1]).toBe(ids[3]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(miner.template(ids[1]!)).toBe('onReceive action: android.intent.action.SCREEN_OFF');
  });

  it('turns a word into a placeholder once it has shown three values, under the oldest id', () => {
    const miner = new TemplateMiner();
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const ids = mine(
      users.map((u, i) => `Invalid user ${u} from 10.0.0.${i}`),
      miner,
    );
    expect(ids[0]).not.toBe(ids[1]);
    const live = ids.map((id) => miner.resolve(id));
    expect(new Set(live)).toEqual(new Set([ids[0]]));
    expect(miner.template(ids[1]!)).toBe('Invalid user <*> from <ip>');
    expect(miner.count(ids[0]!)).toBe(5);
    expect(miner.size).toBe(1);
  });

  it('keeps a closed vocabulary of capitalised words apart (enum states), up to ten values', () => {
    const miner = new TemplateMiner();
    const states = ['IDLE', 'BUSY', 'DRAINING', 'IDLE', 'STOPPED', 'PAUSED'];
    const ids = mine(
      states.map((s, i) => `worker ${i} changed state to ${s} after 5ms`),
      miner,
    );
    expect(new Set(ids).size).toBe(5);
    expect(ids[3]).toBe(ids[0]);
    const many = mine(
      Array.from(
        { length: 10 },
        (_, i) => `worker 1 changed state to S${String.fromCharCode(65 + i)}X after 5ms`,
      ),
      miner,
    );
    expect(new Set(many.map((id) => miner.resolve(id))).size).toBe(1);
    expect(miner.template(many[0]!)).toBe('worker <num> changed state to <*> after <dur>');
  });

  it('generalises lower-case words after three values but keeps two apart', () => {
    const miner = new TemplateMiner();
    const two = mine(['job nightly finished for tenant acme', 'job nightly finished for tenant zeta'], miner);
    expect(two[0]).not.toBe(two[1]);
    const three = miner.add('job nightly finished for tenant umbra');
    expect(miner.resolve(two[1]!)).toBe(two[0]);
    expect(miner.resolve(three)).toBe(two[0]);
    expect(miner.template(two[0]!)).toBe('job nightly finished for tenant <*>');
  });

  it('reads an empty pair of brackets as an empty value of the same field', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'accepted peer 10.1.2.3 (gw.example.net) on eth0',
        'accepted peer 10.1.2.4 () on eth0',
        'accepted peer 10.1.2.5 [] on eth0',
        'accepted peer 10.1.2.6 (edge.example.org) on eth0',
      ],
      miner,
    );
    expect(new Set(ids.slice(0, 2).concat(ids[3]!)).size).toBe(1);
    expect(miner.template(ids[0]!)).toBe('accepted peer <ip> (<*>) on eth0');
    // A different bracket is a different literal, so `[]` stays apart from `()`.
    expect(ids[2]).not.toBe(ids[0]);
    expect(miner.match('accepted peer 10.9.9.9 () on eth0')?.params).toEqual(['10.9.9.9', '']);
  });

  it('folds a variable-length list of masked items into one token', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'BLOCK* ask 10.0.0.1:50010 to delete blk_-1 blk_2',
        'BLOCK* ask 10.0.0.2:50010 to delete blk_7',
        'BLOCK* ask 10.0.0.3:50010 to delete blk_3 blk_4 blk_5 blk_6',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
    expect(miner.template(ids[0]!)).toBe('BLOCK* ask <ip> to delete blk_<num>…');
  });

  it('keeps quoted fields in a row apart (no folding of <str> runs), the words of a short one stay', () => {
    const miner = new TemplateMiner();
    const id = miner.add('10.0.0.1 "GET / HTTP/1.1" 200 "-" "curl/8.5.0"');
    expect(miner.template(id)).toBe('<ip> "GET / HTTP/<num>.<num>" <num> <str> <str>');
  });

  it('keeps numbers of a fixed tuple apart (no folding of <num> runs)', () => {
    const miner = new TemplateMiner();
    const id = miner.add('REPORT : 7007 5002 150089 240');
    expect(miner.template(id)).toBe('REPORT : <num> <num> <num> <num>');
    expect(miner.add('REPORT : 1 2')).not.toBe(id);
  });

  it('gives the same id to the same template every time', () => {
    const miner = new TemplateMiner();
    const first = miner.add('GET /api/users/1 200 3ms');
    for (let i = 2; i < 50; i++) expect(miner.add(`GET /api/users/${i} 200 ${i}ms`)).toBe(first);
    expect(miner.templates()).toEqual([{ id: first, template: 'GET <path> <num> <dur>', count: 49 }]);
  });
});

describe('TemplateMiner.match', () => {
  it('finds the template without learning and extracts the parameters', () => {
    const miner = new TemplateMiner();
    const id = miner.add('user alice logged in from 10.0.0.1 after 35ms');
    miner.add('user bob logged in from 10.0.0.2 after 5ms');
    miner.add('user carol logged in from 10.0.0.3 after 9ms');
    miner.add('user dave logged in from 10.0.0.4 after 1ms');
    const match = miner.match('user mallory logged in from 192.168.1.1 after 2s');
    expect(match).toEqual({
      templateId: id,
      template: 'user <*> logged in from <ip> after <dur>',
      params: ['mallory', '192.168.1.1', '2s'],
    });
    expect(miner.count(id)).toBe(4);
    expect(miner.match('completely different line')).toBeUndefined();
  });
});

describe('TemplateMiner snapshot', () => {
  it('restores templates, counts, ids and pending merges from JSON', () => {
    const miner = new TemplateMiner();
    const a = miner.add('Invalid user alice from 10.0.0.1');
    miner.add('Invalid user bob from 10.0.0.2');
    const other = miner.add('Disk usage 91% on /var/lib/data');
    const json = JSON.parse(JSON.stringify(miner.snapshot()));
    const restored = TemplateMiner.restore(json);
    expect(restored.templates()).toEqual(miner.templates());
    expect(restored.add('Disk usage 12% on /srv/x/y')).toBe(other);
    // The third user completes the family saved in the snapshot: all merge under the first id.
    const d = restored.add('Invalid user carol from 10.0.0.3');
    expect(restored.resolve(d)).toBe(a);
    expect(restored.template(a)).toBe('Invalid user <*> from <ip>');
    const next = restored.add('a brand new line');
    expect(next).toBeGreaterThan(Math.max(...miner.templates().map((t) => t.id)));
  });

  it('rejects data that is not a snapshot with STATE_CORRUPT and the path of the problem', () => {
    expect(() => TemplateMiner.restore({ version: 2 })).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
    const bad = {
      version: 1,
      nextId: 3,
      clusters: [{ id: 1, count: 1, tokens: [['x', 9, 0, 0]] }],
      aliases: [],
      families: [],
    };
    expect(() => TemplateMiner.restore(bad)).toThrow(/clusters\[0\]\.tokens\[0\]/);
  });
});

describe('TemplateMiner bounds', () => {
  it('keeps at most maxTemplates, dropping the least recently seen', () => {
    const evicted: number[] = [];
    const miner = new TemplateMiner({ maxTemplates: 10, onEvict: (id) => evicted.push(id) });
    const keep = miner.add('heartbeat ok');
    const words = [
      'red',
      'green',
      'blue',
      'cyan',
      'pink',
      'gold',
      'gray',
      'teal',
      'navy',
      'lime',
      'plum',
      'sand',
    ];
    for (const [i, w] of words.entries()) {
      miner.add(`${w} ${words[(i + 3) % words.length]} ${words[(i + 7) % words.length]} unique`);
      miner.add('heartbeat ok');
    }
    expect(miner.size).toBeLessThanOrEqual(10);
    expect(evicted.length).toBeGreaterThan(0);
    expect(miner.template(keep)).toBe('heartbeat ok');
    expect(miner.template(evicted[0]!)).toBeUndefined();
  });

  it('rejects a maxTemplates that is not a positive integer', () => {
    expect(() => new TemplateMiner({ maxTemplates: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('TemplateMiner edge cases', () => {
  it('handles empty lines and very long lines', () => {
    const miner = new TemplateMiner();
    const empty = miner.add('');
    expect(miner.add('   ')).toBe(empty);
    expect(miner.template(empty)).toBe('');
    const long = (n: number) =>
      `${Array.from({ length: 500 }, (_, i) => ['alpha', 'beta', 'gamma', 'delta', 'eps'][i % 5]).join(' ')} tail ${n}`;
    const id = miner.add(long(1));
    expect(miner.add(long(2))).toBe(id);
    expect(miner.template(id)!.endsWith('<*>')).toBe(true);
  });

  it("shows a sibling's placeholder as <*> where the new template holds another value", () => {
    const miner = new TemplateMiner();
    miner.add('LOG: connection received: host=10.0.0.1 port=5432');
    const id = miner.add('LOG: connection authorized: user=app database=shop');
    miner.add('LOG: connection authorized: user=app database=shop');
    expect(miner.template(id)).toBe('LOG: connection authorized: user=<*> database=<*>');
  });
});
