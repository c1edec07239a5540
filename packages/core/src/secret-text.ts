/** What a masked value reads as. */
export const MASK = '****';

/**
 * The words of a key that say its value is a secret (a key's words: split at `_`, `-`, `.` and camelCase,
 * `AWS_SECRET_ACCESS_KEY` → AWS, SECRET, ACCESS, KEY). Whole words, so that MONKEY, TOKENIZER_MODEL or
 * SSL_CERT_DIR are not secrets; a certificate's path is none (its private key is a KEY).
 */
const SECRET_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PASSPHRASE',
  'KEY',
  'KEYS',
  'APIKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'PRIVATEKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'AUTH',
  'AUTHORIZATION',
  'PRIVATE',
  'DSN',
  'SESSION',
  'COOKIE',
  'SALT',
  'SIGNATURE',
]);
/** A word that ends with one of these is a secret too (APITOKEN, AUTHTOKEN, DBPASSWORD, CLIENTSECRET). */
const SECRET_SUFFIX = /(TOKEN|SECRET|PASSWORD|PASSWD)$/;
/**
 * The password of each URL with credentials (`postgres://user:pass@host`) in a value: at its start or
 * after a space, `,`, `;` or `=` (`redis://:a@h1,redis://:b@h2`, `-Ddb=postgres://…`); the password
 * runs to the last `@` before the host (an unencoded `@` in it, which Python's parser accepts).
 */
const URL_PASSWORD = /(^|[\s,;=])([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^/?#\s]+(@)/gi;
/** A URL's user part without a password (`https://<token>@github.com/org/repo.git`), where it starts as `URL_PASSWORD`'s. */
const URL_LONE_USER = /(^|[\s,;=])([a-z][a-z0-9+.-]*:\/\/)([^/:@\s?#]+)(@)/gi;
/**
 * A lone user part that is a credential: a token's prefix (GitHub's `ghp_`…`github_pat_`, GitLab's
 * `glpat-`…, Slack's `xox?-`, npm's `npm_`) or a long random-looking string (20 or more letters, digits,
 * `_` or `-` with a digit and a letter, a Sentry DSN's key). A user name (`git`, `postgres`, `alice`,
 * `first.last`) is not one.
 */
const CREDENTIAL_USER =
  /^(?:gh[pousr]_|github_pat_|gl(?:pat|dt|ptt|rt|soat)-|xox[abpres]-|npm_)|^(?=.*[0-9])(?=.*[A-Za-z])[\w-]{20,}$/;
/** One `name=value` parameter of a URL's query (`?sslmode=require&password=…`), the name in group 2. */
const QUERY_PARAM = /([?&])([A-Za-z][\w.-]*)=([^&#\s]*)/g;
/**
 * One `name=value` pair of a connection string: at the value's start or after a `;`; a value in
 * quotes or braces may hold a `;` (`Password="a;b"`, ODBC's `Pwd={a;b}`).
 */
const CONNECTION_PAIR = /(^|;)(\s*[A-Za-z][A-Za-z0-9 _.-]*?)(\s*=\s*)(?:"[^"]*"|'[^']*'|\{[^}]*\}|[^;])+/g;
/**
 * Secrets known by their shape, whatever the variable's name: a JWT (its header and claims are base64
 * JSON, `eyJ…`), a PEM private key (to its END line, or to the value's end when cut), a token with its
 * issuer's prefix (GitHub, GitLab, Slack, Stripe's live keys, npm), an `Authorization:` header's
 * credentials and a `Bearer` token.
 */
const SHAPED_SECRETS: readonly [RegExp, string][] = [
  [/\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g, MASK],
  [/-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END ([A-Z0-9 ]+ )?PRIVATE KEY-----|$)/g, MASK],
  [
    /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{16,}|gl(?:pat|dt|ptt|rt)-[\w-]{16,}|xox[abpres]-[\w-]{10,}|[sr]k_live_\w{10,}|npm_[A-Za-z0-9]{30,})\b/g,
    MASK,
  ],
  [/(\bAuthorization\s*[:=]\s*(?:[A-Za-z-]+\s+)?|\bBearer\s+)[\w.~+/-]{8,}=*/gi, `$1${MASK}`],
];
/** A webhook URL whose path is its secret (Slack, Discord, Microsoft Teams), to the path in group 1. */
const WEBHOOK_URL =
  /\b(https?:\/\/(?:hooks\.slack\.com|(?:[\w-]+\.)?discord(?:app)?\.com\/api\/webhooks|[\w-]+\.webhook\.office\.com|outlook\.office(?:365)?\.com))\/[^\s"',;]+/gi;
/** An argument `--name=value` or `-Dname=value`. */
const FLAG_WITH_VALUE = /^(--?[A-Za-z][\w.-]*=)([\s\S]*)$/;
/** An argument `--name` or `-name` alone, whose value is the next argument. */
const FLAG_ALONE = /^--?([A-Za-z][\w.-]*)$/;
/** `--name value` or `--name=value` inside a command line, the value quoted or not. */
const FLAG_IN_LINE = /(^|\s)(--?)([A-Za-z][\w.-]*)(=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g;
/** The last word of a flag that names where or what a secret is, not the secret (`--password-file`, `-Djavax.net.ssl.keyStore`). */
const NOT_SECRET_FLAG_WORDS = new Set([
  'FILE',
  'FILES',
  'PATH',
  'DIR',
  'STORE',
  'TYPE',
  'LENGTH',
  'LEN',
  'SIZE',
  'ALIAS',
  'ALGORITHM',
  'ID',
]);

/** True when an environment variable (or a header) called `key` probably holds a secret: see `SECRET_WORDS`. */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/);
  // PWD alone is the working directory; beside another word (MYSQL_PWD, DB_PWD) it is a password
  return words.some(
    (word) => SECRET_WORDS.has(word) || SECRET_SUFFIX.test(word) || (word === 'PWD' && words.length > 1),
  );
}

/** A value of a variable not named as a secret, with the secrets found in it masked. */
function maskSecretValue(text: string): string {
  let masked = maskConnectionString(maskUrlPassword(text)).replace(WEBHOOK_URL, `$1/${MASK}`);
  for (const [shape, replacement] of SHAPED_SECRETS) masked = masked.replace(shape, replacement);
  return masked;
}

/**
 * `text` with the passwords of URLs with credentials masked (`postgres://app:****@db/app`), and a user
 * part alone when it is a token (`https://****@github.com/org/repo.git`, `CREDENTIAL_USER`).
 */
export function maskUrlPassword(text: string): string {
  const masked = text
    .replace(URL_PASSWORD, `$1$2${MASK}$3`)
    .replace(URL_LONE_USER, (whole, start: string, scheme: string, user: string, at: string) =>
      CREDENTIAL_USER.test(decodeUser(user)) ? `${start}${scheme}${MASK}${at}` : whole,
    );
  return masked.includes('=') ? maskQuerySecrets(masked) : masked;
}

/**
 * `text` with the values of its query parameters whose name `isSecretKey` takes masked, as libpq, JDBC
 * and signed URLs carry them (`?sslmode=require&password=****`, `&access_token=****`, `X-Amz-Signature=****`).
 */
function maskQuerySecrets(text: string): string {
  return text.replace(QUERY_PARAM, (pair, sign: string, name: string, value: string) =>
    value !== '' && isSecretKey(name) ? `${sign}${name}=${MASK}` : pair,
  );
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/**
 * `text` with the secret values of its `name=value;` pairs masked, as a connection string holds them
 * (`Server=db;User Id=app;Password=****;`, Azure's `AccountKey=****`): a name `isSecretKey` takes, or `Pwd`.
 */
function maskConnectionString(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(CONNECTION_PAIR, (pair, start: string, name: string, equals: string) =>
    isSecretKey(name) || /^pwd$/i.test(name.trim()) ? `${start}${name}${equals}${MASK}` : pair,
  );
}

/**
 * A program's arguments with the value of each secret-looking flag masked (`--password=****`,
 * `--token ****`, `-Ddb.password=****`) and the secrets `maskEnv` finds in any value; a flag naming a
 * file, a path or a folder (`--password-file`) or turning something off (`--no-auth`) keeps its value.
 */
export function maskArgs(args: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string') {
      out.push(arg);
      continue;
    }
    const withValue = FLAG_WITH_VALUE.exec(arg);
    if (withValue && isSecretFlag(withValue[1]!.slice(0, -1))) {
      out.push(withValue[2] === '' ? arg : `${withValue[1]}${MASK}`);
      continue;
    }
    out.push(maskCommandLine(arg));
    const next = args[i + 1];
    const alone = FLAG_ALONE.exec(arg);
    if (
      alone &&
      isSecretFlag(alone[1]!) &&
      typeof next === 'string' &&
      next !== '' &&
      !next.startsWith('-')
    ) {
      out.push(MASK);
      i++;
    }
  }
  return out;
}

/** A command line (or one argument) with its secret flags' values and the secrets in it masked. */
export function maskCommandLine(text: string): string {
  const flagsMasked = text.replace(
    FLAG_IN_LINE,
    (whole, start: string, dash: string, name: string, gap: string) =>
      isSecretFlag(name) ? `${start}${dash}${name}${gap}${MASK}` : whole,
  );
  return maskSecretValue(flagsMasked);
}

/** A flag whose value is a secret: its name is secret-looking, and it names no file and turns nothing off. */
function isSecretFlag(flag: string): boolean {
  const name = flag.replace(/^-+/, '');
  const last = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .at(-1)!;
  return isSecretKey(name) && !/^no[-_]/i.test(name) && !NOT_SECRET_FLAG_WORDS.has(last);
}
