/**
 * Service tokens: the signer's claims and caching, and the verifier behind installServiceAuth
 * against tokens built by hand here (HMAC over base64url JSON), so a bug shared by signer and
 * verifier cannot hide.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, installServiceAuth, ServiceTokenSigner, type ZodApp } from '../src/index.js';

const SECRET = 'service-kit-test-secret-0123456789abcdef';
const OTHER_SECRET = 'another-secret-of-enough-length-0123456789';
const now = () => Math.floor(Date.now() / 1000);

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A JWS compact token; `alg` picks the HMAC (HS256/HS512) or none. */
function jwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (header.alg === 'none') return `${input}.`;
  const hash = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}
const HEADER = { alg: 'HS256', typ: 'hh-service+jwt' };
const claims = (over: Record<string, unknown> = {}) => ({ iss: 'hh-search', aud: 'svc', iat: now(), exp: now() + 60, ...over });

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

describe('ServiceTokenSigner', () => {
  it('mints an HS256 token for one audience with iss, iat, a short exp and a jti', async () => {
    const token = await new ServiceTokenSigner({ secret: SECRET, audience: 'hh-embed' }).token();
    const [h, p, sig] = token.split('.');
    expect(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')).toBe(sig);
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'hh-service+jwt' });
    expect(payload).toMatchObject({ iss: 'hh-search', aud: 'hh-embed' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
    expect(Math.abs((payload.iat as number) - now())).toBeLessThanOrEqual(2);
    expect(typeof payload.jti).toBe('string');
  });

  it('reuses its token and mints a new one before the old one expires', async () => {
    let clock = 1_700_000_000_000;
    const signer = new ServiceTokenSigner({ secret: SECRET, audience: 'hh-rerank', now: () => clock });
    const [a, b] = await Promise.all([signer.token(), signer.token()]);
    expect(b).toBe(a);
    clock += 30_000;
    expect(await signer.token()).toBe(a);
    clock += 15_000; // 45 s old: under a third of its life left
    const c = await signer.token();
    expect(c).not.toBe(a);
    expect(decode(c).payload.iat).toBe(1_700_000_045);
    expect(decode(c).payload.exp).toBe(1_700_000_105);
  });

  it('refuses a short secret', () => {
    expect(() => new ServiceTokenSigner({ secret: 'short', audience: 'x' })).toThrow(/at least 32 characters/);
  });
});

describe('installServiceAuth', () => {
  let app: ZodApp | undefined;
  let calls = 0;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    calls = 0;
  });

  async function build(secret: string | undefined): Promise<ZodApp> {
    const a = createServiceApp({ name: 'svc', errorPrefix: 'SVC', metricPrefix: 'svc', logLevel: 'silent' });
    await a.register(async (v1) => {
      installServiceAuth(v1, { service: 'svc', secret, errorPrefix: 'SVC', metricPrefix: 'svc' });
      v1.post('/v1/work', async (req) => {
        calls++;
        return { got: req.body };
      });
    });
    await a.ready();
    return a;
  }
  const work = (a: ZodApp, authorization?: string, payload: string = '{"x":1}') =>
    a.inject({ method: 'POST', url: '/v1/work', payload, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } });
  const rejections = async (a: ZodApp, reason: string) => {
    const text = (await a.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith(`svc_service_auth_rejections_total{reason="${reason}"}`));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  it('accepts a valid token', async () => {
    app = await build(SECRET);
    const res = await work(app, `Bearer ${jwt(HEADER, claims())}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: { x: 1 } });
    expect(calls).toBe(1);
  });

  it('accepts a token from the signer, and one within the clock tolerance of its exp', async () => {
    app = await build(SECRET);
    expect((await work(app, `Bearer ${await new ServiceTokenSigner({ secret: SECRET, audience: 'svc' }).token()}`)).statusCode).toBe(200);
    expect((await work(app, `Bearer ${jwt(HEADER, claims({ iat: now() - 62, exp: now() - 2 }))}`)).statusCode).toBe(200);
    expect(calls).toBe(2);
  });

  it.each([
    ['no Authorization header', undefined, 'missing'],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`, 'missing'],
    ['a malformed token', 'Bearer not.a-jwt', 'malformed'],
    ['an expired token', `Bearer ${jwt(HEADER, claims({ iat: now() - 120, exp: now() - 60 }))}`, 'expired'],
    ['a token for another audience', `Bearer ${jwt(HEADER, claims({ aud: 'hh-rerank' }))}`, 'audience'],
    ['alg: none', `Bearer ${jwt({ alg: 'none', typ: 'hh-service+jwt' }, claims())}`, 'algorithm'],
    ['HS512 (not on the allowlist), right secret', `Bearer ${jwt({ alg: 'HS512', typ: 'hh-service+jwt' }, claims())}`, 'algorithm'],
    ['a token signed with another secret', `Bearer ${jwt(HEADER, claims(), OTHER_SECRET)}`, 'signature'],
    ['another issuer', `Bearer ${jwt(HEADER, claims({ iss: 'someone' }))}`, 'issuer'],
    ['a plain JWT typ', `Bearer ${jwt({ alg: 'HS256', typ: 'JWT' }, claims())}`, 'type'],
    ['an iat in the future', `Bearer ${jwt(HEADER, claims({ iat: now() + 600, exp: now() + 660 }))}`, 'claims'],
    ['no exp', `Bearer ${jwt(HEADER, { iss: 'hh-search', aud: 'svc', iat: now() })}`, 'claims'],
    ['an iat older than the maximum age, whatever exp says', `Bearer ${jwt(HEADER, claims({ iat: now() - 600, exp: now() + 3600 }))}`, 'expired'],
  ])('refuses %s with 401 problem+json before the handler runs', async (_name, authorization, reason) => {
    app = await build(SECRET);
    const res = await work(app, authorization);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="svc"/);
    expect(res.json()).toMatchObject({ status: 401, code: 'SVC_UNAUTHORIZED' });
    expect(calls).toBe(0);
    expect(await rejections(app, reason)).toBe(1);
  });

  it('refuses before reading the body, and keeps health and metrics open', async () => {
    app = await build(SECRET);
    const res = await work(app, undefined, '{ not json');
    expect(res.statusCode).toBe(401); // not 400: the body was never parsed
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('without a secret runs open and says so at start', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const open = Fastify({ logger: { level: 'warn', stream } });
    try {
      await open.register(async (v1) => {
        installServiceAuth(v1, { service: 'svc', secret: undefined, errorPrefix: 'SVC', metricPrefix: 'svc' });
        v1.post('/v1/work', async () => ({ ok: true }));
      });
      await open.ready();
      expect(lines.join('')).toContain('service authentication is off: SERVICE_AUTH_SECRET is not set');
      expect((await open.inject({ method: 'POST', url: '/v1/work', payload: {} })).statusCode).toBe(200);
      // A caller that sends a token is told once that it is not checked.
      await open.inject({ method: 'POST', url: '/v1/work', payload: {}, headers: { authorization: 'Bearer x' } });
      await open.inject({ method: 'POST', url: '/v1/work', payload: {}, headers: { authorization: 'Bearer x' } });
      expect(lines.filter((l) => l.includes('received a service token')).length).toBe(1);
    } finally {
      await open.close();
    }
  });
});
