/**
 * The peer's one SQL statement for a search request: pgvector HNSW top `window` + hh-search's own
 * full-text statement (top `window`) + reciprocal-rank fusion, joined to the page fields.
 *
 * The full-text part is obtained by calling hh-search's read-repository `fullText` with a recorder
 * in place of a database: it hands over the exact statement hh's Postgres full-text branch would run
 * (rarest-lexemes OR tsquery for a job description, websearch semantics for a typed query, ts_rank,
 * hh's compiled filter), which is then embedded as a CTE. Its parameters come first; the peer's own
 * are numbered after them.
 */
export async function peerStatement(mods, req, { vector, tenantId, window = 100, rrfK = 60 }) {
  const filter = mods.compileFilters(req.filters);
  let fts;
  const record = async (q) => {
    fts = q;
    return { rows: [] };
  };
  // As hh's branch calls it (branches/fulltext-postgres.ts): must-have skills join the query terms.
  await mods.createSearchReadRepository().fullText(record, tenantId, mods.ftsQuery(req, req.filters?.mustHaveSkills ?? []), filter, window);
  // Without query text there is no full-text part (hh's branch returns nothing then, too).
  const values = fts ? [...fts.values] : [...filter.params];
  const p = (v) => {
    values.push(v);
    return `$${values.length}`;
  };
  const V = p(vector);
  const T = p(tenantId);
  const limit = p(req.limit ?? 20);
  // A filtered vector part joins the candidate row (hh's filter SQL is over alias c); pgvector's
  // iterative scan (hnsw.iterative_scan) keeps reading the HNSW index until the LIMIT is filled.
  const text = `WITH vec AS (
      SELECT id, row_number() OVER (ORDER BY d, id) AS r FROM (
        SELECT p.id, p.embedding <=> ${V}::vector AS d
          FROM peer_vectors p ${filter.sql ? 'JOIN candidates c ON c.id = p.id' : ''}
         WHERE p.tenant_id = ${T} ${filter.sql}
         ORDER BY p.embedding <=> ${V}::vector LIMIT ${window}) v),
    fts AS (${fts ? `SELECT id, row_number() OVER (ORDER BY score DESC, id) AS r FROM (${fts.text}) f` : 'SELECT NULL::bigint AS id, NULL::bigint AS r WHERE false'}),
    fused AS (
      SELECT id, sum(1.0 / (${rrfK} + r)) AS score FROM (SELECT id, r FROM vec UNION ALL SELECT id, r FROM fts) u
       GROUP BY id ORDER BY score DESC, id LIMIT ${limit})
    SELECT c.external_id, c.title, c.headline, c.country, c.city, c.remote, c.years_experience, c.seniority, f.score
      FROM fused f JOIN candidates c ON c.id = f.id ORDER BY f.score DESC, f.id`;
  return { text, values };
}
