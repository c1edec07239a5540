// Value generators for the labelled corpus: every `{slot}` of a template is filled by one of these.
// A seeded xorshift generator makes every corpus the same for the same seed.

/** A seeded random source with the helpers the slot generators need. */
export function createRandom(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const hex = (n) => {
    let out = '';
    for (let i = 0; i < n; i++) out += '0123456789abcdef'[int(0, 15)];
    return out;
  };
  return { next, int, pick, hex };
}

const SYLLABLES =
  'ka lo mi ne ru sa ti vo be da fe gi ho ju ke li mo nu pa re si to ve wa ya zo an el or us'.split(' ');

/** A pseudo-word of two to four syllables: an open vocabulary of names never seen before. */
export function word(r) {
  let out = '';
  for (let i = r.int(2, 4); i > 0; i--) out += r.pick(SYLLABLES);
  return out;
}

const USERS = [
  'root',
  'admin',
  'test',
  'oracle',
  'postgres',
  'ubuntu',
  'git',
  'deploy',
  'www-data',
  'nagios',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Slot generators by name; each takes the random source and returns the text of one value. */
export const SLOTS = {
  ip: (r) => `${r.pick([10, 172, 192, 81, 203])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
  ipport: (r) => `${SLOTS.ip(r)}:${r.int(1024, 65535)}`,
  iplist: (r) => Array.from({ length: r.int(1, 3) }, () => SLOTS.ip(r)).join(','),
  // An NTP peer: the local clock or an address.
  peer: (r) => (r.next() < 0.4 ? 'LOCAL(0)' : SLOTS.ip(r)),
  port: (r) => String(r.int(1024, 65535)),
  int: (r) => String(r.int(0, 5000)),
  small: (r) => String(r.int(0, 9)),
  big: (r) => String(r.int(100000, 99999999)),
  neg: (r) => String(r.int(-9e15, 9e15)),
  float: (r) => (r.next() * 100).toFixed(r.int(1, 4)),
  pct: (r) => `${(r.next() * 100).toFixed(1)}%`,
  ms: (r) => `${r.int(1, 2000)}ms`,
  secs: (r) => (r.next() * 30).toFixed(2),
  uuid: (r) => `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
  hex8: (r) => r.hex(8),
  hex32: (r) => r.hex(32),
  hex0x: (r) => `0x${r.hex(r.int(4, 12))}`,
  user: (r) => (r.next() < 0.5 ? r.pick(USERS) : word(r)),
  name: (r) => word(r),
  // The remote user of an access log: mostly absent.
  ruser: (r) => (r.next() < 0.85 ? '-' : SLOTS.user(r)),
  proto: (r) => (r.next() < 0.8 ? 'HTTP/1.1' : 'HTTP/2.0'),
  host: (r) => `${word(r)}-${r.int(1, 40)}.${r.pick(['internal', 'example.com', 'corp.net'])}`,
  node: (r) => `node-${r.int(1, 60)}`,
  pod: (r) => `${word(r)}-${r.hex(5)}-${r.hex(5)}`,
  ns: (r) => r.pick(['default', 'kube-system', 'payments', 'web', 'monitoring', 'batch']),
  path: (r) =>
    `/${Array.from({ length: r.int(1, 4) }, () => word(r)).join('/')}${r.pick(['', '.html', '.js', '.css', '.png'])}`,
  apipath: (r) => `/api/v${r.int(1, 2)}/${r.pick(['users', 'orders', 'items', 'carts'])}/${r.int(1, 99999)}`,
  file: (r) => `/var/lib/${word(r)}/${word(r)}.${r.pick(['db', 'log', 'dat'])}`,
  status: (r) => r.pick(['200', '200', '200', '201', '204', '301', '304', '400', '404', '500']),
  bytes: (r) => String(r.int(0, 200000)),
  ua: (r) =>
    r.pick([
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      'curl/8.4.0',
      'Go-http-client/1.1',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Gecko/20100101 Firefox/121.0',
      'kube-probe/1.29',
      'python-requests/2.31.0',
    ]),
  referer: (r) => (r.next() < 0.6 ? '-' : `https://${word(r)}.example.com/${word(r)}`),
  date: (r) =>
    `${pad(r.int(1, 28))}/${r.pick(MONTHS)}/2026:${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))} +0000`,
  pid: (r) => String(r.int(100, 65000)),
  thread: (r) =>
    r.pick([`pool-${r.int(1, 9)}-thread-${r.int(1, 64)}`, 'main', `http-nio-8080-exec-${r.int(1, 200)}`]),
  javaclass: (r) => `com.${word(r)}.${word(r)}.${word(r)[0].toUpperCase()}${word(r)}`,
  method: (r) => `${word(r)}${r.pick(['Handler', 'Service', 'Impl', ''])}`,
  line: (r) => String(r.int(1, 2000)),
  mac: (r) => Array.from({ length: 6 }, () => r.hex(2)).join(':'),
  blk: (r) => `blk_${r.next() < 0.5 ? '-' : ''}${r.int(1e9, 9e15)}`,
  blklist: (r) => Array.from({ length: r.int(1, 8) }, () => SLOTS.blk(r)).join(' '),
  // Host names such as an14 … an31: a variable-length list of word+digit names.
  anlist: (r) => {
    const from = r.int(1, 40);
    return Array.from({ length: r.int(1, 12) }, (_, i) => `${r.pick(['an', 'cn', 'bn'])}${from + i}`).join(
      ' ',
    );
  },
  table: (r) => r.pick(['users', 'orders', 'sessions', 'events', 'payments', 'audit_log', 'items']),
  db: (r) => r.pick(['shop', 'billing', 'analytics', 'auth']),
  sql: (r) =>
    r.pick([
      `SELECT * FROM ${SLOTS.table(r)} WHERE id = ${r.int(1, 9999)}`,
      `UPDATE ${SLOTS.table(r)} SET seen = now() WHERE id = ${r.int(1, 9999)}`,
      `INSERT INTO ${SLOTS.table(r)} VALUES ($1, $2, $3)`,
    ]),
  key: (r) => `${word(r)}_${r.pick(['id', 'name', 'token'])}`,
  unit: (r) => `${word(r)}.${r.pick(['service', 'timer', 'socket'])}`,
  session: (r) => String(r.int(1, 9999)),
  qid: (r) => r.hex(10).toUpperCase(),
  email: (r) => `${word(r)}@${r.pick(['example.com', 'mail.org', 'corp.net'])}`,
  cmd: (r) =>
    r.pick([
      '/usr/lib/sysstat/sa1 1 1',
      'run-parts /etc/cron.hourly',
      '/opt/backup.sh --full',
      'test -x /usr/sbin/anacron',
    ]),
  image: (r) => `${r.pick(['nginx', 'redis', 'postgres', word(r)])}:${r.int(1, 9)}.${r.int(0, 30)}`,
  attempt: (r) =>
    `attempt_${r.int(1e12, 9e12)}_${pad(r.int(1, 99), 4)}_m_${pad(r.int(0, 999), 6)}_${r.int(0, 3)}`,
  celerytask: (r) => `tasks.${r.pick(['send_email', 'resize_image', 'sync_account', 'charge_card'])}`,
  pyfile: (r) => `/app/${word(r)}/${word(r)}.py`,
  nodefile: (r) => `/srv/app/${r.pick(['lib', 'src', 'routes'])}/${word(r)}.js`,
  klogfile: (r) =>
    `${r.pick(['controller', 'reflector', 'kubelet', 'pod_workers', 'event'])}.go:${r.int(10, 999)}`,
  klogts: (r) =>
    `${pad(r.int(1, 12))}${pad(r.int(1, 28))} ${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}.${pad(r.int(0, 999999), 6)}`,
  tenant: (r) => r.hex(32),
  reqid: (r) => `req-${SLOTS.uuid(r)}`,
};
