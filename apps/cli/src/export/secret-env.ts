import { type AppSpec, maskEnv, maskSecrets } from '@velos/core';
import { resolveCommand, runsPython } from '@velos/supervisor/spec-tools';
import type { ExportTarget } from './lossy-report.js';

/** An app's env split into the values that go to a file of their own (they look secret) and the rest. */
export interface SplitEnv {
  /** Variables written where they were (unit, service, container). */
  plain: Record<string, string>;
  /** Variables that look secret, moved out: an env file, a Kubernetes Secret. */
  moved: Record<string, string>;
  /** Variables that look secret but stay where they were: the target's file cannot carry the value. */
  kept: string[];
}

/** A value that single quotes carry as it is in systemd's, Compose's and Velos's env files: no quote, no line break. */
const SINGLE_QUOTABLE = /^[^'\r\n]*$/;

/**
 * The env an export writes: the app's own, not what `velos start` would inherit, and `PYTHONUNBUFFERED=1`
 * for an app that runs Python when the env it started with does not set it, as the daemon gives it
 * (its print()s would otherwise reach the journal or `docker logs` 8 KiB at a time).
 */
export function exportedEnv(spec: AppSpec): Record<string, string> {
  const own = spec.ownEnv ?? spec.env;
  if (spec.env.PYTHONUNBUFFERED !== undefined || own.PYTHONUNBUFFERED !== undefined) return own;
  const command = resolveCommand({ ...spec, env: { ...process.env, ...spec.env } as Record<string, string> });
  return runsPython(command) ? { ...own, PYTHONUNBUFFERED: '1' } : own;
}

/** The variables of `env` whose values look secret: the ones `velos env` masks (API_KEY, a URL's password…). */
export function secretKeys(env: Record<string, string>): string[] {
  const masked = maskEnv(env);
  return Object.keys(env).filter((key) => masked[key] !== env[key]);
}

/**
 * Splits an app's env: values that look secret are moved when `canMove` takes them (by default those
 * an env file's single quotes carry), the others stay with the plain ones. `keep` names a variable
 * that must stay (increment_var: each instance has its own value).
 */
export function splitSecretEnv(
  env: Record<string, string>,
  canMove: (key: string, value: string) => boolean = (_key, value) => SINGLE_QUOTABLE.test(value),
  keep?: string,
): SplitEnv {
  const secret = new Set(secretKeys(env));
  const plain: [string, string][] = [];
  const moved: [string, string][] = [];
  const kept: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!secret.has(key)) plain.push([key, value]);
    else if (key !== keep && canMove(key, value)) moved.push([key, value]);
    else {
      plain.push([key, value]);
      kept.push(key);
    }
  }
  // fromEntries: a variable named __proto__ is a key like any other
  return { plain: Object.fromEntries(plain), moved: Object.fromEntries(moved), kept };
}

/** An env file: comment lines, then `KEY='value'` lines (values `splitSecretEnv` moved, so quotable). */
export function envFileText(comments: string[], env: Record<string, string>): string {
  return [
    ...comments.map((line) => `# ${line}`),
    ...Object.entries(env).map(([key, value]) => `${key}='${value}'`),
    '',
  ].join('\n');
}

/**
 * The options of an app's command and probes that hold a value that looks secret, by the rule of
 * `velos show`'s masking (`--token <value>`, a URL's password, an `Authorization:` header), of those
 * `target` writes: its files hold them as they are, since no env file can carry a word of a command.
 */
export function commandSecretOptions(spec: AppSpec, target: ExportTarget): string[] {
  const options: Record<string, unknown> = {
    script: spec.script,
    args: spec.args,
    interpreter_args: spec.interpreterArgs,
  };
  // the probes a target writes: none in a unit, one healthcheck on Compose (readiness first), both in a pod
  if (target === 'kubernetes' || (target === 'compose' && spec.readinessProbe === undefined))
    options.liveness_probe = spec.livenessProbe;
  if (target !== 'systemd') options.readiness_probe = spec.readinessProbe;
  const masked = maskSecrets(options);
  return Object.keys(options).filter(
    (option) => JSON.stringify(masked[option]) !== JSON.stringify(options[option]),
  );
}
