import { describe, expect, it } from 'vitest';
import { ConfigError, loadEmbedConfig, loadSearchConfig } from '../src/index.js';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

function problems(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return Object.fromEntries((err as ConfigError).issues.map((i) => [i.variable, i.problem]));
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors name the variable and say what is wrong', () => {
  it('a value that does not parse is invalid, not missing', () => {
    const p = problems(() => loadSearchConfig({ ...base, SEARCH_DEADLINE_MS: 'abc' }));
    expect(p.SEARCH_DEADLINE_MS).toMatch(/^is invalid/);
    expect(p.SEARCH_DEADLINE_MS).not.toMatch(/required/);
  });

  it('out-of-range and malformed values are invalid', () => {
    const p = problems(() => loadSearchConfig({ ...base, PORT: '70000', EMBED_WORKER_ENABLED: 'maybe', REDIS_URL: 'http://x' }));
    expect(p.PORT).toMatch(/^is invalid/);
    expect(p.EMBED_WORKER_ENABLED).toMatch(/^is invalid: must be true or false/);
    expect(p.REDIS_URL).toMatch(/^is invalid: must be a redis:\/\/ URL/);
  });

  it('only an absent required variable is "required"', () => {
    expect(problems(() => loadSearchConfig({})).DATABASE_URL).toBe('is required');
    // An empty value counts as unset.
    expect(problems(() => loadSearchConfig({ DATABASE_URL: '' })).DATABASE_URL).toBe('is required');
  });

  it('never echoes the value', () => {
    const secret = 'postgres-but-not-a-url-s3cr3t';
    try {
      loadSearchConfig({ DATABASE_URL: secret });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).toMatch(/DATABASE_URL: is invalid/);
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('defaults apply when unset', () => {
    expect(loadSearchConfig(base).SEARCH_DEADLINE_MS).toBe(1500);
    expect(loadEmbedConfig({}).PORT).toBe(8081);
  });
});
