import type { ZodApp } from '@hh/service-kit';
import { Deadline, DEADLINE_HEADER } from '@hh/service-kit';
import { searchRequest, searchResponse } from './schema.js';
import type { SearchService } from './service.js';

export function searchRoutes(app: ZodApp, deps: { search: SearchService; deadlineMs: number }) {
  app.post('/v1/search', {
    schema: { body: searchRequest, response: { 200: searchResponse } },
    handler: async (req, reply) => {
      const deadline = Deadline.fromHeader(req.headers[DEADLINE_HEADER], deps.deadlineMs);
      const res = await deps.search.search(req.tenant.id, req.body, { requestId: req.id, deadline });
      // Server-Timing lets browsers and proxies show where the time went.
      const timing = Object.entries(res.timings)
        .map(([k, v]) => `${k};dur=${v}`)
        .join(', ');
      void reply.header('server-timing', timing);
      return res;
    },
  });
}
