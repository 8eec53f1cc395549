/**
 * JSON request bodies, checked before anything recurses into them: nesting depth is measured by a
 * linear scan of the raw text (a 10,000-deep array would otherwise overflow the stack of whatever
 * walks it next: hashing, validation, serialisation), and keys that could reach an object's
 * prototype (`__proto__`, `constructor.prototype`) are refused by name and path rather than
 * reported as invalid JSON.
 */
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { HttpProblem, type FieldError } from './errors.js';

/** Deeper than any body our schemas accept (candidate profiles nest 3-4 levels). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Where the nesting of `text` first goes deeper than `maxDepth` (line is 1-based), or undefined.
 * Brackets inside strings do not count. One pass, no recursion, whatever the input.
 */
export function findExcessiveNesting(text: string, maxDepth: number): { line: number } | undefined {
  let depth = 0;
  let inString = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      else if (c === NEWLINE) line++; // invalid JSON; the parser reports it
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { line };
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    } else if (c === NEWLINE) {
      line++;
    }
  }
  return undefined;
}

/** The path (`a.b[0].__proto__`) of the first key that secure-json-parse refuses. */
function forbiddenKeyPath(value: unknown): string {
  const stack: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((v, i) => stack.push({ node: v, path: `${path}[${i}]` }));
      continue;
    }
    const join = (k: string) => (path ? `${path}.${k}` : k);
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) return join('__proto__');
    const ctor = (node as Record<string, unknown>).constructor;
    if (Object.prototype.hasOwnProperty.call(node, 'constructor') && ctor && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) {
      return join('constructor.prototype');
    }
    for (const [k, v] of Object.entries(node)) stack.push({ node: v, path: join(k) });
  }
  return '';
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; kind: 'too_deep' | 'forbidden_key' | 'syntax'; error: FieldError };

/**
 * Parse one JSON document with the depth and prototype checks. `field` names the document in
 * field-level errors (`body`, `body[line 3]`). Error messages describe the input, never internals.
 */
export function parseJsonDocument(text: string, opts: { maxDepth?: number; field?: string } = {}): JsonParseResult {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const field = opts.field ?? 'body';
  if (findExcessiveNesting(text, maxDepth)) {
    return { ok: false, kind: 'too_deep', error: { field, message: `nests objects/arrays deeper than ${maxDepth} levels` } };
  }
  try {
    return { ok: true, value: sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) };
  } catch (err) {
    if (err instanceof SyntaxError && /forbidden prototype property/.test(err.message)) {
      const path = forbiddenKeyPath(JSON.parse(text));
      const key = path.endsWith('constructor.prototype') ? 'constructor.prototype' : '__proto__';
      return { ok: false, kind: 'forbidden_key', error: { field: path ? `${field}.${path}` : field, message: `the key "${key}" is not allowed` } };
    }
    const detail = err instanceof SyntaxError ? err.message : 'could not be parsed';
    return { ok: false, kind: 'syntax', error: { field, message: `is not valid JSON (${detail})` } };
  }
}

/** A 400 for a document that parseJsonDocument refused. */
export function jsonBodyProblem(prefix: string, r: Extract<JsonParseResult, { ok: false }>): HttpProblem {
  const code = r.kind === 'syntax' ? `${prefix}_MALFORMED_BODY` : `${prefix}_VALIDATION`;
  return new HttpProblem(400, code, `invalid body: ${r.error.field}: ${r.error.message}`, [r.error]);
}

/** Replace Fastify's application/json parser with one that applies these checks. */
export function installJsonParser(app: FastifyInstance, prefix: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): void {
  app.removeContentTypeParser('application/json');
  // parseAs string keeps Fastify's body-limit accounting (413 past the route's limit).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new HttpProblem(400, `${prefix}_MALFORMED_BODY`, 'the body is empty; send a JSON document', [{ field: 'body', message: 'is empty' }]), undefined);
      return;
    }
    const r = parseJsonDocument(text, { maxDepth });
    if (r.ok) done(null, r.value);
    else done(jsonBodyProblem(prefix, r), undefined);
  });
}
