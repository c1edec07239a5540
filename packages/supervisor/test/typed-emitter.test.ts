import { describe, expect, it } from 'vitest';
import { createEmitter } from '../src/typed-emitter.js';

describe('typed emitter', () => {
  it('calls subscribers in order until they unsubscribe, either way', () => {
    const emitter = createEmitter<number>();
    const seen: string[] = [];
    const first = (n: number): void => {
      seen.push(`first ${n}`);
    };
    const unsubscribeSecond = emitter.subscribe((n) => seen.push(`second ${n}`));
    emitter.subscribe(first);
    emitter.emit(1);
    emitter.unsubscribe(first);
    emitter.emit(2);
    unsubscribeSecond();
    emitter.emit(3);
    expect(seen).toEqual(['second 1', 'first 1', 'second 2']);
  });

  it('reports a subscriber that throws and still calls the others', () => {
    const errors: unknown[] = [];
    const emitter = createEmitter<string>((error) => errors.push(error));
    const seen: string[] = [];
    emitter.subscribe(() => {
      throw new Error('bad subscriber');
    });
    emitter.subscribe((event) => seen.push(event));
    expect(() => emitter.emit('a')).not.toThrow();
    expect(seen).toEqual(['a']);
    expect(errors).toEqual([new Error('bad subscriber')]);
  });
});
