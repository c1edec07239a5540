const NEWLINE = 10;
/** Regions at least this big are counted by the WebAssembly counter, smaller ones with `indexOf`. */
const WASM_MIN_BYTES = 4096;
/** The counter's memory: two WebAssembly pages. */
const MEMORY_BYTES = 2 * 64 * 1024;

/**
 * A WebAssembly module (hand-assembled, 143 bytes) exporting `memory` (2 pages) and
 * `count(start, end)`: the newline bytes in memory[start, end), 16 at a time with SIMD
 * (`i8x16.eq` against a splat of 10, `i8x16.bitmask`, `i32.popcnt`), the rest one by one.
 */
const MODULE_HEX = [
  '0061736d01000000', // magic, version 1
  '01070160027f7f017f', // types: (i32, i32) -> i32
  '030201000504010102020712', // functions: one of that type; memory: 2 pages, at most 2; exports:
  '0205636f756e740000066d656d6f72790200', // "count" (function 0), "memory" (memory 0)
  '0a5e015c02017f017b', // code: one body; locals n: i32, nl: v128
  '410afd0f2103', // nl = i8x16.splat(10)
  '02400340200041106a20014b0d01', // while start + 16 <= end:
  '20022000fd0000002003fd23fd64696a2102', //   n += i32.popcnt(i8x16.bitmask(i8x16.eq(v128.load(start), nl)))
  '200041106a21000c000b0b', //   start += 16
  '02400340200020014f0d01', // while start < end:
  '200220002d0000410a466a2102', //   n += i32.load8_u(start) == 10
  '200041016a21000c000b0b', //   start += 1
  '20020b', // return n
].join('');

/** The part of the WebAssembly API used here (the daemon's TypeScript library has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface Counter {
  count: (start: number, end: number) => number;
  memory: Buffer;
}

let counter: Counter | null | undefined;

/**
 * The number of lines (newline bytes) in `data[start, end)`. A large region is copied into the
 * WebAssembly counter's memory and counted 16 bytes a step (issue 17: a `indexOf` call per line was a
 * sixth of the daemon's CPU on Node 24 while ten apps logged, its loop rarely leaving the baseline
 * tier); small ones, and every region where WebAssembly or its SIMD is missing (`--jitless`, an old
 * CPU), are counted with `indexOf`. The module is compiled on the first large region, not before.
 */
export function countNewlines(data: Buffer, start: number, end: number): number {
  if (end - start >= WASM_MIN_BYTES) {
    if (counter === undefined) counter = loadCounter();
    if (counter !== null) return countInWasm(counter, data, start, end);
  }
  let lines = 0;
  for (let i = data.indexOf(NEWLINE, start); i !== -1 && i < end; i = data.indexOf(NEWLINE, i + 1))
    lines += 1;
  return lines;
}

function countInWasm(wasm: Counter, data: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let at = start; at < end; at += MEMORY_BYTES) {
    const stop = Math.min(end, at + MEMORY_BYTES);
    data.copy(wasm.memory, 0, at, stop);
    lines += wasm.count(0, stop - at);
  }
  return lines;
}

function loadCounter(): Counter | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    const { exports } = new wasm.Instance(new wasm.Module(Buffer.from(MODULE_HEX, 'hex')), {});
    const memory = (exports.memory as { buffer: ArrayBuffer }).buffer;
    return { count: exports.count as Counter['count'], memory: Buffer.from(memory) };
  } catch {
    return null;
  }
}

/** How large regions are counted: 'wasm', 'indexOf' (no WebAssembly SIMD here), or 'unloaded' before the first (for tests). */
export function newlineCounterKind(): 'wasm' | 'indexOf' | 'unloaded' {
  return counter === undefined ? 'unloaded' : counter === null ? 'indexOf' : 'wasm';
}
