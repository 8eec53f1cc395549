/**
 * Invalid inputs made from valid ones: one change at a random place in the value (a wrong type, a
 * missing or unknown key, an over-long string or array). Whether the result is still valid is for
 * the route's schema to say; tests use it as the oracle.
 */
import fc from 'fast-check';

/** Values that no field of ours accepts in most places. */
export const JUNK: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 1e-300, -1e308, 2 ** 53, '', ' ', '\u0000', 'a\u0000b', '\u0007', '\ud800', 'x'.repeat(300), [], {}, [[[]]],
  { nested: { deeper: [1, 'two', null] } }, ['a', 1, null],
];

type Kind = 'replace' | 'delete' | 'unknown-key' | 'stretch';

type Path = (string | number)[];

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function apply(value: unknown, path: Path, change: (parent: Record<string | number, unknown> | unknown[] | undefined, key: string | number | undefined, current: unknown) => unknown): unknown {
  if (path.length === 0) return change(undefined, undefined, value);
  const copy: unknown = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const replaced = change(parent, key, parent[key]);
  if (replaced === REMOVE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = replaced;
  return copy;
}

const REMOVE = Symbol('remove');

function mutate(value: unknown, pick: number, kind: Kind, junk: unknown): unknown {
  const all = paths(value);
  const path = all[pick % all.length]!;
  return apply(value, path, (_parent, key, current) => {
    switch (kind) {
      case 'replace':
        return junk;
      case 'delete':
        return key === undefined ? undefined : REMOVE;
      case 'unknown-key':
        if (current && typeof current === 'object' && !Array.isArray(current)) return { ...current, unexpectedField: junk };
        return junk;
      case 'stretch':
        if (typeof current === 'string') return (current || 'z').repeat(Math.ceil(25_000 / Math.max(current.length, 1)));
        if (Array.isArray(current)) return Array.from({ length: 1_001 }, (_, i) => current[i % Math.max(current.length, 1)] ?? junk);
        if (typeof current === 'number') return current * 1e12 + 1;
        return junk;
    }
  });
}

/** Values from `valid`, each changed once somewhere (possibly still valid: ask the schema). */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom<Kind>('replace', 'replace', 'delete', 'unknown-key', 'stretch'), fc.constantFrom(...JUNK))
    .map(([value, pick, kind, junk]) => mutate(value, pick, kind, junk));
}
