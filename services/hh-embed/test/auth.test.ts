/**
 * Service authentication on hh-embed: /v1 needs hh-search's token for hh-embed, refused requests
 * never reach the provider, and a paid provider never runs without a secret.
 */
import { ConfigError } from '@hh/config';
import { ServiceTokenSigner, type ZodApp } from '@hh/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinProvider, buildApp, type EmbedCallOptions, type EmbeddingProvider } from '../src/index.js';
import { config, metric, type Problem } from './helpers.js';

const SECRET = 'hh-embed-test-service-secret-0123456789';

/** The real built-in model, counting the calls that reach it. */
class CountingProvider implements EmbeddingProvider {
  readonly kind = 'builtin' as const;
  calls = 0;
  private readonly inner = new BuiltinProvider(64);
  readonly modelId = this.inner.modelId;
  accepts(model: string) {
    return this.inner.accepts(model);
  }
  dims() {
    return this.inner.dims();
  }
  estimateMs(chars: number) {
    return this.inner.estimateMs(chars);
  }
  embed(texts: string[], opts: EmbedCallOptions) {
    this.calls++;
    return this.inner.embed(texts, opts);
  }
  close() {
    return this.inner.close();
  }
}

const token = (opts: { secret?: string; audience?: string; now?: () => number } = {}) =>
  new ServiceTokenSigner({ secret: opts.secret ?? SECRET, audience: opts.audience ?? 'hh-embed', ...(opts.now ? { now: opts.now } : {}) }).token();

/** `alg: none` by hand: no signature at all. */
const unsigned = () => {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'hh-service+jwt' })}.${part({ iss: 'hh-search', aud: 'hh-embed', iat: now, exp: now + 60 })}.`;
};

describe('hh-embed service authentication', () => {
  const provider = new CountingProvider();
  let app: ZodApp;
  beforeAll(async () => {
    app = buildApp(config({ SERVICE_AUTH_SECRET: SECRET, EMBED_BATCH_WAIT_MS: '1' }), { provider });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });
  const embed = (authorization?: string) =>
    app.inject({ method: 'POST', url: '/v1/embeddings', payload: { input: ['registered nurse'] }, headers: authorization ? { authorization } : {} });

  it.each([
    ['no token', async () => undefined, 'missing'],
    ['an expired token', async () => `Bearer ${await token({ now: () => Date.now() - 120_000 })}`, 'expired'],
    ["a token for hh-rerank", async () => `Bearer ${await token({ audience: 'hh-rerank' })}`, 'audience'],
    ['alg: none', async () => `Bearer ${unsigned()}`, 'algorithm'],
    ['a token signed with another secret', async () => `Bearer ${await token({ secret: 'not-the-secret-hh-embed-knows-0123456789' })}`, 'signature'],
  ])('refuses %s with 401 and no provider call', async (_name, auth, reason) => {
    const before = provider.calls;
    const res = await embed(await auth());
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="hh-embed"/);
    expect(res.json<Problem>().code).toBe('HH_EMBED_UNAUTHORIZED');
    expect(provider.calls).toBe(before);
    expect(await metric(app, 'hh_embed_service_auth_rejections_total', { reason })).toBe(1);
    expect(await metric(app, 'hh_embed_inputs_total')).toBe(0);
  });

  it('embeds with a valid token; /v1/models needs one too; health and metrics stay open', async () => {
    const auth = `Bearer ${await token()}`;
    const res = await embed(auth);
    expect(res.statusCode).toBe(200);
    expect(provider.calls).toBe(1);
    expect((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: auth } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});

describe('hh-embed configuration', () => {
  const openai = { EMBED_PROVIDER: 'openai', EMBED_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };

  it('refuses to start the paid provider without SERVICE_AUTH_SECRET', () => {
    let err: unknown;
    try {
      config(openai);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([{ variable: 'SERVICE_AUTH_SECRET', problem: 'is required when EMBED_PROVIDER=openai (every call costs money)' }]);
    // Also when the config did not come from loadEmbedConfig.
    const built = { ...config(), EMBED_PROVIDER: 'openai' as const, EMBED_OPENAI_BASE_URL: openai.EMBED_OPENAI_BASE_URL };
    expect(() => buildApp(built)).toThrow(/SERVICE_AUTH_SECRET: is required when EMBED_PROVIDER=openai/);
    expect(() => config({ ...openai, SERVICE_AUTH_SECRET: SECRET })).not.toThrow();
  });

  it('refuses a secret shorter than 32 characters without echoing it', () => {
    expect(() => config({ SERVICE_AUTH_SECRET: 'too-short-secret' })).toThrow('hh-embed: invalid configuration: SERVICE_AUTH_SECRET: is invalid: must be at least 32 characters');
  });

  it('runs open with the built-in model and no secret', async () => {
    const open = buildApp(config());
    try {
      const res = await open.inject({ method: 'POST', url: '/v1/embeddings', payload: { input: 'nurse' } });
      expect(res.statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});
