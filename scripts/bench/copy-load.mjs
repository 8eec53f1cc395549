/**
 * Offline loading for large pools (`--load copy`): candidates are derived and embedded in this
 * process with the services' own code (hh-search's deriveCandidate, hh-embed's built-in model),
 * streamed into an unlogged staging table with COPY (through psql), and moved into the real tables
 * with set-based SQL. The result is what a normal ingest leaves behind once everything is embedded
 * and applied:
 *   - candidates: every column the API writes, the weighted tsvector computed by the same SQL
 *     expression (setweight(to_tsvector(hh_ts_config(lang), …)) A/B/C/D) over the same texts;
 *   - candidate_embeddings: one vector per candidate, of the configured model, content_hash = embed_hash;
 *   - embedding_outbox: empty (nothing left to embed);
 *   - change_log: one 'upsert' row per candidate (hh_append_changes, so tenant_change_heads is
 *     right); hh-search started afterwards loads every structure from Postgres in one pass and
 *     has nothing to replay.
 * The fleet is started only after this, so hh-search's start-up load is part of "until searchable".
 */
import { copyText, psqlCopy } from './services.mjs';

const CHUNK = 5_000;
const INSERT_CHUNK = 50_000;

/**
 * @param {object} o
 * @param {import('pg').Pool} o.pool     pool on the (migrated, taxonomy-loaded) bench database
 * @param {string} o.dbUrl
 * @param {number} o.tenantId
 * @param {object[]} o.items             bulk items ({ id, ...profile })
 * @param {object} o.mods                loadServiceModules()
 * @param {string} o.model               EMBED_MODEL the fleet will run with
 * @param {Function} o.occupationsForTitles  @hh/taxonomy
 * @param {Function} o.log
 */
export async function copyLoad(o) {
  const { pool, mods, log } = o;
  const dims = 768;
  if (o.model !== mods.builtinModelId(dims)) {
    throw new Error(`--load copy embeds with hh-embed's built-in model (${mods.builtinModelId(dims)}); EMBED_MODEL is ${o.model}. Use --load http for other models.`);
  }
  const embedder = mods.createBuiltinEmbedder(dims);
  const t0 = performance.now();

  // Occupation ids per distinct (title, language), resolved the way the write path does.
  const derived = o.items.map(({ id: _id, ...input }) => mods.deriveCandidate(input));
  const keyOf = (d) => `${d.language}\u0000${d.title}`;
  const distinct = [...new Map(derived.map((d) => [keyOf(d), d])).values()];
  const occ = new Map();
  for (let i = 0; i < distinct.length; i += 500) {
    const part = distinct.slice(i, i + 500);
    const ids = await o.occupationsForTitles(pool, part.map((d) => d.title), part.map((d) => d.language));
    part.forEach((d, j) => occ.set(keyOf(d), ids[j] ?? []));
  }
  const tOcc = performance.now();

  await pool.query('DROP TABLE IF EXISTS bench_stage');
  await pool.query('CREATE UNLOGGED TABLE bench_stage (n bigint PRIMARY KEY, doc jsonb NOT NULL, embedding bytea NOT NULL)');
  let embedMs = 0;
  await psqlCopy(o.dbUrl, '\\copy bench_stage (n, doc, embedding) FROM pstdin', async (write) => {
    for (let start = 0; start < o.items.length; start += CHUNK) {
      const lines = [];
      const te = performance.now();
      const vectors = embedder.embed(derived.slice(start, start + CHUNK).map((d) => d.embedText));
      embedMs += performance.now() - te;
      for (let i = start; i < Math.min(start + CHUNK, o.items.length); i++) {
        const { id, version: _v, ...profile } = o.items[i];
        const d = derived[i];
        const doc = {
          e: id,
          p: JSON.parse(mods.canonicalJson(profile)),
          t: d.title,
          h: d.headline,
          s: d.summary,
          k: d.skills,
          kn: d.skillsNorm,
          co: profile.location?.country ?? null,
          re: profile.location?.region ?? null,
          ci: profile.location?.city ?? null,
          cn: d.cityNorm,
          rm: profile.remote ?? false,
          y: profile.yearsExperience ?? null,
          sn: profile.seniority ?? null,
          l: d.language,
          o: occ.get(keyOf(d)) ?? [],
          a: mods.withJoinedCompounds(d.title),
          b: mods.withJoinedCompounds(d.skills.join(', ')),
          c: mods.withJoinedCompounds(`${d.headline}\n${d.summary}`),
          d: mods.withJoinedCompounds(d.experienceText),
          eh: d.embedHash,
        };
        const v = vectors[i - start];
        const hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
        lines.push(`${i + 1}\t${copyText(JSON.stringify(doc))}\t\\\\x${hex}\n`);
      }
      await write(lines.join(''));
      if ((start / CHUNK) % 20 === 19) log(`  copy: ${start + CHUNK}/${o.items.length} staged`);
    }
  });
  const tCopy = performance.now();

  const n = o.items.length;
  for (let lo = 0; lo < n; lo += INSERT_CHUNK) {
    await pool.query(
      `INSERT INTO candidates (tenant_id, external_id, version, profile, title, headline, summary, skills, skills_norm,
         country, region, city, city_norm, remote, years_experience, seniority, language, occupation_ids, search_doc, embed_hash)
       SELECT $1, doc->>'e', 1, doc->'p', doc->>'t', doc->>'h', doc->>'s',
              ARRAY(SELECT jsonb_array_elements_text(doc->'k')), ARRAY(SELECT jsonb_array_elements_text(doc->'kn')),
              doc->>'co', doc->>'re', doc->>'ci', doc->>'cn', (doc->>'rm')::boolean, (doc->>'y')::real, doc->>'sn', doc->>'l',
              ARRAY(SELECT jsonb_array_elements_text(doc->'o')::int),
              setweight(to_tsvector(hh_ts_config(doc->>'l'), doc->>'a'), 'A') ||
              setweight(to_tsvector(hh_ts_config(doc->>'l'), doc->>'b'), 'B') ||
              setweight(to_tsvector(hh_ts_config(doc->>'l'), doc->>'c'), 'C') ||
              setweight(to_tsvector(hh_ts_config(doc->>'l'), doc->>'d'), 'D'),
              doc->>'eh'
         FROM bench_stage WHERE n > $2 AND n <= $3 ORDER BY n`,
      [o.tenantId, lo, lo + INSERT_CHUNK],
    );
    await pool.query(
      `INSERT INTO candidate_embeddings (candidate_id, tenant_id, model, content_hash, dims, embedding)
       SELECT c.id, c.tenant_id, $4, c.embed_hash, $5, s.embedding
         FROM bench_stage s JOIN candidates c ON c.tenant_id = $1 AND c.external_id = s.doc->>'e'
        WHERE s.n > $2 AND s.n <= $3`,
      [o.tenantId, lo, lo + INSERT_CHUNK, o.model, dims],
    );
    if (n > INSERT_CHUNK) log(`  insert: ${Math.min(n, lo + INSERT_CHUNK)}/${n}`);
  }
  // One change-log row per candidate, in id order, as the write path would have appended them.
  await pool.query(`SELECT hh_append_changes($1, (SELECT array_agg(id ORDER BY id) FROM candidates WHERE tenant_id = $1), 'upsert')`, [o.tenantId]);
  await pool.query('DROP TABLE bench_stage');
  await pool.query('ANALYZE candidates');
  await pool.query('ANALYZE candidate_embeddings');
  const tDone = performance.now();
  const {
    rows: [check],
  } = await pool.query(
    `SELECT (SELECT count(*)::int FROM candidates WHERE tenant_id = $1) AS candidates,
            (SELECT count(*)::int FROM candidate_embeddings WHERE tenant_id = $1 AND model = $2) AS embeddings,
            (SELECT count(*)::int FROM embedding_outbox) AS outbox`,
    [o.tenantId, o.model],
  );
  if (check.candidates !== n || check.embeddings !== n || check.outbox !== 0) {
    throw new Error(`copy load left ${check.candidates} candidates, ${check.embeddings} embeddings and ${check.outbox} outbox rows (expected ${n}, ${n}, 0)`);
  }
  const s = (ms) => Math.round(ms / 10) / 100;
  return {
    method: 'copy',
    occupationSeconds: s(tOcc - t0),
    embedSeconds: s(embedMs),
    copySeconds: s(tCopy - tOcc),
    insertSeconds: s(tDone - tCopy),
    offlineSeconds: s(tDone - t0),
    offlinePerSecond: Math.round(n / ((tDone - t0) / 1000)),
  };
}
