/**
 * fast-check arbitraries from a JSON Schema (the subset zod's `z.toJSONSchema` emits for request
 * bodies: objects, arrays, strings with lengths and patterns, numbers with bounds, enums, anyOf).
 * Hand-written because the published schema-to-arbitrary packages are unmaintained; the schema
 * itself comes from the route's zod schema, so generated inputs follow the code, not a copy of it.
 *
 * Values are "mostly valid": refinements a JSON Schema cannot express (non-blank strings, a field
 * that must not exceed another) are not known here, so tests decide validity with the route's own
 * zod schema and assert the status the API promises for each case.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: readonly unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

export interface SchemaArbitraryOptions {
  /** Longest string generated from free text (boundary values up to maxLength come on top). Default 60. */
  maxTextLength?: number;
  /** Most items generated for an array (boundary sizes come on top). Default 4. */
  maxArrayItems?: number;
  /** Text for free string fields; default: words, compounds, accents, query operators, emoji, controls. */
  text?: fc.Arbitrary<string>;
}

/** Pieces of text that exercise tokenisers, full-text parsing and Postgres. */
const TEXT_PIECES = [
  'registered nurse', 'Back-End', 'e-mail', 'C++', 'C#', 'node.js', '.NET', 'São Paulo', 'Enfermeira UTI', '5+ years',
  '3-5 anos', 'at least 4 years', '& | ! ( ) : *', "o'brien", '"quoted', '<->', 'or', 'AND', 'ナース', '🚑', 'עברית',
  'Ελληνικά', '\t', '\n', ' ', '  ', '-', '--', 'a-', '\\', '%', '_', '\u00a0', '\u200b', 'e\u0301',
];

export const defaultText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TEXT_PIECES) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(' '));

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

function stringArbitrary(s: JsonSchema, o: Required<SchemaArbitraryOptions>): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 10_000;
  if (s.pattern) {
    return fc
      .stringMatching(new RegExp(s.pattern, 'u'), { size: 'small' })
      .filter((v) => v.length >= min && v.length <= max);
  }
  const free = o.text.map((t) => {
    const c = cut(t, Math.min(max, o.maxTextLength));
    return c.length >= min ? c : c + 'a'.repeat(min - c.length);
  });
  // Boundaries matter most: the longest accepted value, and the shortest.
  return fc.oneof(
    { weight: 8, arbitrary: free },
    { weight: 1, arbitrary: fc.constant('w'.repeat(max)) },
    { weight: 1, arbitrary: fc.constant('é'.repeat(Math.max(min, 1))) },
  );
}

function numberArbitrary(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : (s.minimum ?? -1e9);
  const hi = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum : (s.maximum ?? 1e9);
  if (integer) {
    const min = Math.max(Math.ceil(lo + (s.exclusiveMinimum !== undefined ? 1 : 0)), Number.MIN_SAFE_INTEGER);
    const max = Math.min(Math.floor(hi - (s.exclusiveMaximum !== undefined ? 1 : 0)), Number.MAX_SAFE_INTEGER);
    return fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }), fc.constantFrom(min, max));
  }
  return fc.double({
    min: lo,
    max: hi,
    minExcluded: s.exclusiveMinimum !== undefined,
    maxExcluded: s.exclusiveMaximum !== undefined,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/** An arbitrary of values shaped by `schema`. */
export function arbitraryFromSchema(schema: JsonSchema, options: SchemaArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const o: Required<SchemaArbitraryOptions> = { maxTextLength: 60, maxArrayItems: 4, text: defaultText, ...options };
  const of = (s: JsonSchema): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map(of));
    if (s.allOf) return of(Object.assign({}, ...s.allOf) as JsonSchema);
    if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => of({ ...s, type })));
    switch (s.type) {
      case 'string':
        return stringArbitrary(s, o);
      case 'integer':
        return numberArbitrary(s, true);
      case 'number':
        return numberArbitrary(s, false);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = of(s.items ?? {});
        const minLength = s.minItems ?? 0;
        const maxLength = Math.max(minLength, Math.min(s.maxItems ?? o.maxArrayItems, o.maxArrayItems));
        return fc.array(items, { minLength, maxLength });
      }
      case 'object': {
        const props = s.properties ?? {};
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) model[k] = of(v);
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  return of(schema);
}
