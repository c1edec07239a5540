import { domainToASCII } from 'node:url';

/** One file an export writes: a name (relative to `--out`) and its text. */
export interface ExportFile {
  name: string;
  text: string;
  /** The one app the file is about (its header lists that app's losses only); absent = every app. */
  app?: string;
  /** Env values that look secret in the file: moved into it (an env file, a Secret) or kept inline. */
  secrets?: FileSecrets[];
}

/** The variables of one app whose values look secret and that a file holds. */
export interface FileSecrets {
  app: string;
  /** Env variable names; with `isCommand`, the options of the command or probes (`args`). */
  keys: string[];
  /** True: values in the app's command or probes, which only the command can carry (never moved). */
  isCommand?: boolean;
  /** True: the file is where they were moved to; false: the target's file could not leave them out. */
  isMoved: boolean;
}

/** What every target gets besides the apps: the config it came from and the user's flags. */
export interface ExportOptions {
  /** The config file's name (`--running` for the daemon's apps), for the headers. */
  source: string;
  /** What the apps were read from, in words, when not the file `source` names. */
  origin?: string;
  /** compose/kubernetes: the image every app runs in (`--image`); `{name}` stands for the app's name. */
  image?: string;
  /** compose: build every app's image from this context (`--build`); default: the app's directory. */
  build?: string;
  /** kubernetes: the namespace of every object (`--namespace`). */
  namespace?: string;
}

/** A duration for systemd (`1500ms`, `5s`). */
export function systemdSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A duration for Compose (`1m30s`, `500ms`). */
export function composeDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  return s >= 60 && s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** Whole seconds, at least `min` (Kubernetes fields are integer seconds). */
export function wholeSeconds(ms: number, min = 0): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** A byte count as a Kubernetes quantity (`512Mi`, `1Gi`, or bytes). */
export function kubernetesBytes(bytes: number): string {
  for (const [unit, size] of [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A byte count for Compose (`512m`, `1g`, or `<n>b`). */
export function composeBytes(bytes: number): string {
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}

/**
 * A name that systemd units, Compose services and Kubernetes objects all accept (DNS-1123 label): other
 * characters become `-`, and letters of other scripts their IDNA form (`注文` → `xn--7dv27n`), so that
 * names in two scripts stay apart.
 */
export function dnsName(name: string): string {
  const label = (pattern: RegExp, text: string) =>
    text
      .toLowerCase()
      .replace(pattern, '-')
      .replace(/^-+|-+$/g, '');
  const cleaned = label(/[^\p{L}\p{N}\p{M}-]+/gu, name);
  const ascii = /^[a-z0-9-]*$/.test(cleaned) ? cleaned : idnaLabel(cleaned) || label(/[^a-z0-9-]+/g, name);
  return ascii.slice(0, 63).replace(/-+$/, '') || 'app';
}

/** The IDNA (punycode) form of one label, as DNS writes names of other scripts; '' when it has none. */
export function idnaLabel(text: string): string {
  const ascii = domainToASCII(text);
  return /^[a-z0-9-]+$/.test(ascii) ? ascii : '';
}

/** The image of one app: `--image` with `{name}` replaced by the app's name (as a DNS label). */
export function imageOf(image: string, app: string): string {
  return image.replaceAll('{name}', dnsName(app));
}
