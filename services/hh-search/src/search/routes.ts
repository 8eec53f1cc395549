import type { FastifyRequest } from 'fastify';
import type { ZodApp } from '@hh/service-kit';
import { Deadline, DEADLINE_HEADER, HttpProblem } from '@hh/service-kit';
import { searchRequest, searchResponse } from './schema.js';
import type { SearchService } from './service.js';

export function searchRoutes(app: ZodApp, deps: { search: SearchService; deadlineMs: number; minDeadlineMs: number }) {
  // The budget starts when the request arrives, so time spent receiving and parsing the body counts.
  const deadlines = new WeakMap<FastifyRequest, Deadline>();
  app.post('/v1/search', {
    schema: { body: searchRequest, response: { 200: searchResponse } },
    onRequest: async (req) => {
      const deadline = Deadline.fromRequestHeader(req.headers[DEADLINE_HEADER], deps.deadlineMs, 'HH_SEARCH');
      if (deadline.budgetMs < deps.minDeadlineMs) {
        // Refuse at once, before any work: a budget this short can only end in a timeout, and every
        // branch started for it would be abandoned half-way.
        throw new HttpProblem(
          504,
          'HH_SEARCH_DEADLINE_TOO_SHORT',
          `${DEADLINE_HEADER} is ${deadline.budgetMs} ms; a search needs a budget of at least ${deps.minDeadlineMs} ms`,
        );
      }
      deadlines.set(req, deadline);
    },
    handler: async (req, reply) => {
      const deadline = deadlines.get(req) ?? new Deadline(deps.deadlineMs);
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
