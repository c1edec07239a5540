import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../src/template-miner.js';

// One test per failure mode of issue #16, on small synthetic lines.

function mine(lines: string[], miner = new TemplateMiner()): number[] {
  return lines.map((line) => miner.add(line));
}

function groups(ids: number[], miner: TemplateMiner): number {
  return new Set(ids.map((id) => miner.resolve(id))).size;
}

describe('quoted strings', () => {
  it('masks the values inside a short quoted string, not its verb', () => {
    const miner = new TemplateMiner();
    const get = mine(
      ['/a/1', '/b/22', '/c/333'].map((p) => `10.0.0.1 "GET ${p} HTTP/1.1" status: 200 len: 1893`),
      miner,
    );
    const post = mine(
      ['/a/1', '/b/22', '/c/333'].map((p) => `10.0.0.2 "POST ${p} HTTP/1.1" status: 201 len: 12`),
      miner,
    );
    expect(groups(get, miner)).toBe(1);
    expect(groups(post, miner)).toBe(1);
    expect(miner.resolve(get[0]!)).not.toBe(miner.resolve(post[0]!));
    expect(miner.template(get[0]!)).toBe('<ip> "GET <path> HTTP/<num>.<num>" status: <num> len: <num>');
  });

  it('reads a quoted lone value or long free text as one value', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'agent "-" done',
        'agent "10.0.0.1" done',
        'agent "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120" done',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
    expect(miner.template(ids[0]!)).toBe('agent <str> done');
  });

  it('reads a quoted reference with a slash as one value, whatever the name looks like (klog pods=["ns/name"])', () => {
    const miner = new TemplateMiner();
    // the first name has no digit run the masks know; before, it stayed a word of its own template
    const ids = mine(
      ['payments/kato-fee4f-f84b4', 'payments/tiliru-70020-9e120', 'kube-system/ortodada-cc9b8-2593e'].map(
        (pod) => `"SyncLoop DELETE" source="api" pods=["${pod}"]`,
      ),
      miner,
    );
    expect(groups(ids, miner)).toBe(1);
    expect(miner.template(ids[0]!)).toBe('"SyncLoop DELETE" source="api" pods=[<str>]');
    // a quoted word alone stays a word: reasons are events of their own
    const reasons = mine(
      ['Started', 'Scheduled'].map((r) => `"Event occurred" reason="${r}"`),
      miner,
    );
    expect(groups(reasons, miner)).toBe(2);
  });
});

describe('closed vocabularies of event words', () => {
  it('keeps state words after the same prefix apart', () => {
    const miner = new TemplateMiner();
    const uuid = (i: number) => `3f2504e0-4f89-11d3-9a0c-0305e82c33${String(i).padStart(2, '0')}`;
    const states = ['Started', 'Paused', 'Resumed', 'Stopped'];
    const ids = mine(
      Array.from({ length: 24 }, (_, i) => `[instance: ${uuid(i)}] VM ${states[i % 4]} (Lifecycle Event)`),
      miner,
    );
    expect(groups(ids, miner)).toBe(4);
  });

  it('keeps different messages after a masked prefix apart', () => {
    const miner = new TemplateMiner();
    const events = ['Terminating instance', 'Claim successful', 'Creating image'];
    const ids = mine(
      Array.from({ length: 12 }, (_, i) => `[instance: 10.0.0.${i}] ${events[i % 3]}`),
      miner,
    );
    expect(groups(ids, miner)).toBe(3);
  });

  it('keeps key: value lines with different keys and units apart', () => {
    const miner = new TemplateMiner();
    const lines = [0, 1, 2, 3].flatMap((i) => [
      `Total memory: ${512 + i} MB, used: ${i}.00 MB`,
      `Total disk: ${20 + i} GB, used: ${i}.00 GB`,
      `Total vcpu: ${4 + i} VCPU, used: ${i}.00 VCPU`,
    ]);
    expect(groups(mine(lines, miner), miner)).toBe(3);
  });

  it('still makes a lower-case open vocabulary (user names) a value', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      ['ann', 'ben', 'cid', 'dan', 'eve'].map((u) => `session opened for user ${u} by (uid=0)`),
      miner,
    );
    expect(groups(ids, miner)).toBe(1);
    expect(miner.template(ids[0]!)).toBe('session opened for user <*> by (uid=<num>)');
  });
});

describe('variable-length values', () => {
  it('folds a list of names of one shape', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'failed to resolve data source name an14 an15 an16',
        'failed to resolve data source name an3',
        'failed to resolve data source name cn20 cn21 an22 an23 an24 an25 an26',
      ],
      miner,
    );
    expect(groups(ids, miner)).toBe(1);
  });

  it('folds a comma-separated list of addresses', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        '10.0.0.1 "GET /v2/servers HTTP/1.1" status: 200',
        '10.0.0.1,10.0.0.2 "GET /v2/servers HTTP/1.1" status: 200',
        '10.0.0.1, 10.0.0.2, 10.0.0.3 "GET /v2/servers HTTP/1.1" status: 200',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('takes LOCAL(0) where an address usually is', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'ntpd[12]: synchronized to 10.1.2.3, stratum 2',
        'ntpd[12]: synchronized to 10.1.2.4, stratum 3',
        'ntpd[12]: synchronized to LOCAL(0), stratum 10',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('keeps a shape with its template across snapshot and restore', () => {
    const miner = new TemplateMiner();
    const lines = [
      'ntpd[12]: synchronized to 10.1.2.3, stratum 2',
      'ntpd[12]: synchronized to LOCAL(0), stratum 10',
    ];
    const [id] = mine(lines, miner);
    const restored = TemplateMiner.restore(JSON.parse(JSON.stringify(miner.snapshot())));
    expect(restored.add(lines[1]!)).toBe(id);
    expect(restored.templates().map((t) => t.id)).toEqual([id]);
  });

  it('does not take an extra key=value for the same event', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      [
        'authentication failure; logname= uid=0 rhost=10.0.0.1',
        'authentication failure; logname= uid=0 rhost=10.0.0.1 user=root',
      ],
      miner,
    );
    expect(groups(ids, miner)).toBe(2);
  });
});

describe('masks that agree', () => {
  it('gives a MAC address one mask', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      ['00:1a:2b:3c:4d:5e', '12:34:56:78:9a:bc', 'aa:bb:cc:dd:ee:ff'].map(
        (m) => `DHCPACK on 10.0.0.5 to ${m} via eth0`,
      ),
      miner,
    );
    expect(new Set(ids).size).toBe(1);
    expect(miner.template(ids[0]!)).toBe('DHCPACK on <ip> to <hex> via eth0');
  });

  it('reads a lone file name as a path like a longer one', () => {
    const miner = new TemplateMiner();
    const ids = mine(['GET /index.html done', 'GET /static/app.js done', 'GET /logo.png done'], miner);
    expect(new Set(ids).size).toBe(1);
  });

  it('groups a time that is sometimes not a clock time', () => {
    const miner = new TemplateMiner();
    const ids = mine(['session time: 0:00:12.345 user=ann', 'session time: 0:4159:25.68 user=ann'], miner);
    expect(groups(ids, miner)).toBe(1);
  });
});

describe('online ids', () => {
  it('prints the id the family keeps for the second value of a young template', () => {
    const miner = new TemplateMiner({ online: true });
    const ids = mine(
      ['ann', 'ben', 'cid', 'dan'].map((u) => `Invalid user ${u} from 10.0.0.1`),
      miner,
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('merges the value of a key=value pair at its second value', () => {
    const miner = new TemplateMiner({ online: true });
    const ids = mine(
      [
        ...Array.from({ length: 5 }, () => 'authentication failure; uid=0 rhost=10.0.0.1 user=root'),
        'authentication failure; uid=0 rhost=10.0.0.1 user=uucp',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('merges a known value at once, even in a template seen many times', () => {
    const miner = new TemplateMiner({ online: true });
    mine(
      ['ann', 'ben', 'cid'].map((u) => `Invalid user ${u} from 10.0.0.1`),
      miner,
    );
    const ids = mine(
      [
        ...Array.from({ length: 5 }, () => 'Failed password for root from 10.0.0.1'),
        'Failed password for ben from 10.0.0.1',
      ],
      miner,
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('keeps ids as they are for batch use', () => {
    const miner = new TemplateMiner();
    const ids = mine(
      ['ann', 'ben', 'cid'].map((u) => `Invalid user ${u} from 10.0.0.1`),
      miner,
    );
    expect(ids[1]).not.toBe(ids[0]);
    expect(miner.resolve(ids[1]!)).toBe(ids[0]);
  });
});
