/**
 * Fail closed: a /v1 route that was registered outside the authenticated scope (a mistake) must
 * not run without a tenant. The guard looks at the route pattern, so the URL's spelling is moot.
 */
import { createServiceApp } from '@hh/service-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantGuard } from '../src/plugins/auth.js';

const app = createServiceApp({ name: 'guard', errorPrefix: 'HH_SEARCH', metricPrefix: 'guard', logLevel: 'silent' });
let ran = 0;
void app.register(tenantGuard);
void app.register(async (stray) => {
  stray.get('/v1/stray/:id', async () => {
    ran++;
    return { leaked: true };
  });
  stray.get('/public/:id', async () => ({ ok: true }));
});
afterAll(async () => {
  await app.close();
});

describe('tenant guard', () => {
  it.each(['/v1/stray/1', '/v%31/stray/1', '/%761/stray/1'])('GET %s without authentication → 401, the handler never runs', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'HH_SEARCH_UNAUTHORIZED' });
    expect(ran).toBe(0);
  });

  it('routes outside /v1 are not affected', async () => {
    expect((await app.inject({ method: 'GET', url: '/public/1' })).statusCode).toBe(200);
  });
});
