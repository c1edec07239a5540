// Types of the deep import of prom-client's registry module (it has no typings of its own).
declare module 'prom-client/lib/registry.js' {
  import type { Registry } from 'prom-client';

  const RegistryClass: typeof Registry;
  export default RegistryClass;
}
