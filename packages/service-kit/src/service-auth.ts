/**
 * Service-to-service authentication (docs/RELIABILITY.md §4.1, RFC 8725): hh-search signs short-lived
 * HS256 JWTs with a secret the fleet shares (SERVICE_AUTH_SECRET), one audience per callee, and
 * hh-embed / hh-rerank verify them in an `onRequest` hook of their `/v1` scope, so a request
 * without a valid token is refused before its body is read or any work is done.
 *
 * Verification is strict on purpose: one algorithm (HS256; `none` and every other `alg` are
 * refused), an explicit `typ`, the issuer, this service as the audience (a token minted for
 * hh-rerank does not open hh-embed), `exp` and `iat` required, and a token never older than
 * MAX_TOKEN_AGE whatever its `exp` says.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { HttpProblem } from './errors.js';

export const SERVICE_TOKEN_ISSUER = 'hh-search';
/** Explicit typing (RFC 8725 §3.11): a JWT minted for another purpose with the same secret is refused. */
export const SERVICE_TOKEN_TYPE = 'hh-service+jwt';
export const SERVICE_TOKEN_TTL_SECONDS = 60;
/** Shortest secret accepted: 32 characters carry the 256 bits HS256 wants (RFC 7518 §3.2). */
export const MIN_SERVICE_SECRET_LENGTH = 32;
const ALGORITHM = 'HS256';
/** Skew allowed between the signer's and the verifier's clocks. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** Upper bound on a token's age from `iat`, so a token with a far-off `exp` is still short-lived. */
const MAX_TOKEN_AGE_SECONDS = 2 * SERVICE_TOKEN_TTL_SECONDS;
/** Longer than any token we mint; a bigger header is refused without parsing it. */
const MAX_TOKEN_LENGTH = 2048;

function keyOf(secret: string): Uint8Array {
  if (secret.length < MIN_SERVICE_SECRET_LENGTH) {
    throw new Error(`the service-auth secret must be at least ${MIN_SERVICE_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

export interface ServiceTokenSignerOptions {
  secret: string;
  /** The callee, e.g. `hh-embed`. */
  audience: string;
  issuer?: string;
  ttlSeconds?: number;
  /** Clock in ms (tests move it). */
  now?: () => number;
}

/**
 * Mints the bearer token one caller sends to one callee. The token is reused until a third of its
 * lifetime is left, so signing costs nothing per request, and replaced early enough that clock
 * skew and a slow request never present an expired one.
 */
export class ServiceTokenSigner {
  private readonly key: Uint8Array;
  private readonly ttl: number;
  private readonly now: () => number;
  private current: { token: string; refreshAt: number } | undefined;
  private minting: Promise<string> | undefined;

  constructor(private readonly opts: ServiceTokenSignerOptions) {
    this.key = keyOf(opts.secret);
    this.ttl = opts.ttlSeconds ?? SERVICE_TOKEN_TTL_SECONDS;
    this.now = opts.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    // Concurrent callers at expiry share one signature.
    this.minting ??= this.mint().finally(() => {
      this.minting = undefined;
    });
    return this.minting;
  }

  private async mint(): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: SERVICE_TOKEN_TYPE })
      .setIssuer(this.opts.issuer ?? SERVICE_TOKEN_ISSUER)
      .setAudience(this.opts.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttl)
      .setJti(randomUUID())
      .sign(this.key);
    this.current = { token, refreshAt: (iat + (this.ttl * 2) / 3) * 1000 };
    return token;
  }
}

/** Why a request was refused; also the `reason` label of the rejection counter (a fixed set). */
export type ServiceAuthFailure = 'missing' | 'malformed' | 'algorithm' | 'signature' | 'expired' | 'audience' | 'issuer' | 'type' | 'claims';

export type ServiceAuthResult = { ok: true; issuer: string } | { ok: false; reason: ServiceAuthFailure; message: string };

export interface ServiceTokenVerifierOptions {
  secret: string;
  /** This service, e.g. `hh-embed`. */
  audience: string;
  /** Callers allowed in; default hh-search. */
  issuers?: string[];
}

export class ServiceTokenVerifier {
  private readonly key: Uint8Array;
  private readonly issuers: string[];

  constructor(private readonly opts: ServiceTokenVerifierOptions) {
    this.key = keyOf(opts.secret);
    this.issuers = opts.issuers ?? [SERVICE_TOKEN_ISSUER];
  }

  /** Checks an `Authorization` header value. Never throws. */
  async verify(authorization: string | undefined): Promise<ServiceAuthResult> {
    if (!authorization) return { ok: false, reason: 'missing', message: 'a Bearer service token is required' };
    const m = /^Bearer +(\S+)$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'missing', message: 'the Authorization header must carry a Bearer service token' };
    const token = m[1]!;
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed', message: 'the service token is malformed' };
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        typ: SERVICE_TOKEN_TYPE,
        issuer: this.issuers,
        audience: this.opts.audience,
        requiredClaims: ['exp', 'iat'],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return { ok: true, issuer: payload.iss! };
    } catch (err) {
      return { ok: false, ...classify(err, this.opts.audience) };
    }
  }
}

function classify(err: unknown, audience: string): { reason: ServiceAuthFailure; message: string } {
  if (err instanceof joseErrors.JWTExpired) {
    return { reason: 'expired', message: err.claim === 'iat' ? 'the service token is older than allowed' : 'the service token has expired' };
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return { reason: 'algorithm', message: `the service token must be signed with ${ALGORITHM}` };
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { reason: 'signature', message: 'the service token signature does not verify' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return { reason: 'audience', message: `the service token is not meant for ${audience}` };
    if (err.claim === 'iss') return { reason: 'issuer', message: 'the service token comes from an issuer not allowed here' };
    if (err.claim === 'typ') return { reason: 'type', message: `the service token must have typ "${SERVICE_TOKEN_TYPE}"` };
    // A missing exp or iat, or an iat in the future.
    return { reason: 'claims', message: `the service token's "${err.claim}" claim is missing or out of range` };
  }
  return { reason: 'malformed', message: 'the service token is malformed' };
}

export interface ServiceAuthOptions {
  /** This service, e.g. `hh-embed`: the audience tokens must name, and the realm of the challenge. */
  service: string;
  /** Unset: requests are not authenticated (a warning says so at start). */
  secret: string | undefined;
  /** e.g. `HH_EMBED` → `HH_EMBED_UNAUTHORIZED`. */
  errorPrefix: string;
  /** e.g. `hh_embed` → `hh_embed_service_auth_rejections_total`. */
  metricPrefix: string;
}

/**
 * Requires a valid service token on every route of `scope` (register it inside the `/v1` scope so
 * health and metrics stay open). An `onRequest` hook runs before the body is read: a refused
 * request costs one HMAC at most.
 */
export function installServiceAuth(scope: FastifyInstance, opts: ServiceAuthOptions): void {
  if (!opts.secret) {
    scope.log.warn(
      `service authentication is off: SERVICE_AUTH_SECRET is not set, so anyone who can reach this port can call ${opts.service}; set the same secret on hh-search and ${opts.service}`,
    );
    let told = false;
    scope.addHook('onRequest', async (req) => {
      // A caller that sends a token expects it to be checked: say once that it is not.
      if (!told && req.headers.authorization) {
        told = true;
        req.log.warn('received a service token, but SERVICE_AUTH_SECRET is not set here: requests are not authenticated');
      }
    });
    return;
  }

  const verifier = new ServiceTokenVerifier({ secret: opts.secret, audience: opts.service });
  const rejections = scope.metrics.counter(
    `${opts.metricPrefix}_service_auth_rejections_total`,
    'Requests refused with 401 for a missing or invalid service token, by reason',
    ['reason'],
  );
  // Log the first refusal of a run at warn (a secret mismatch refuses everything) and the rest at debug.
  let refusing = false;
  scope.addHook('onRequest', async (req) => {
    const result = await verifier.verify(req.headers.authorization);
    if (result.ok) {
      if (refusing) req.log.info('service tokens are accepted again');
      refusing = false;
      return;
    }
    rejections.inc({ reason: result.reason });
    req.log[refusing ? 'debug' : 'warn']({ reason: result.reason }, `service token refused: ${result.message}`);
    refusing = true;
    const challenge = result.reason === 'missing' ? `Bearer realm="${opts.service}"` : `Bearer realm="${opts.service}", error="invalid_token"`;
    throw new HttpProblem(401, `${opts.errorPrefix}_UNAUTHORIZED`, result.message, undefined, { 'www-authenticate': challenge });
  });
}
