/** Names of the built-in masks; each replaces a variable value by its placeholder (`<ip>`, `<num>`…). */
export type MaskName =
  | 'timestamp'
  | 'ip'
  | 'uuid'
  | 'hex'
  | 'id'
  | 'number'
  | 'duration'
  | 'size'
  | 'path'
  | 'url'
  | 'email'
  | 'host'
  | 'quoted';

/** A mask of your own: values matching `pattern` at a token start become `<name>`. */
export interface CustomMask {
  name: string;
  pattern: RegExp;
}

/** Which masks apply: every built-in mask is on unless set to false; custom masks are tried first. */
export type MaskOptions = { readonly [K in MaskName]?: boolean } & {
  readonly custom?: readonly CustomMask[];
};

/** Placeholder of each built-in mask. */
export const MASK_PLACEHOLDERS: Readonly<Record<MaskName, string>> = {
  timestamp: '<ts>',
  ip: '<ip>',
  uuid: '<uuid>',
  hex: '<hex>',
  id: '<id>',
  number: '<num>',
  duration: '<dur>',
  size: '<size>',
  path: '<path>',
  url: '<url>',
  email: '<email>',
  host: '<host>',
  quoted: '<str>',
};
