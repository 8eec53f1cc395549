-- Embedding outbox leases. A worker claims rows in a short statement that stamps them with its
-- lease (token, owner, expiry), commits, calls hh-embed outside any transaction, then applies the
-- vectors in a second short transaction guarded by content hash. No transaction is held open
-- across the embedding call, so a writer never waits on a slow hh-embed, and a worker that dies
-- holding a lease loses nothing: the rows become claimable again when the lease expires.
--
-- A row is claimable when available_at <= now() (backoff after a failure) and it holds no live
-- lease (leased_until is NULL or past). A writer that changes the embedded text clears the lease,
-- so the new content is picked up at once instead of after the old batch's lease.
ALTER TABLE embedding_outbox
  ADD COLUMN lease_token  uuid,
  ADD COLUMN lease_owner  text,
  ADD COLUMN leased_until timestamptz;

COMMENT ON COLUMN embedding_outbox.lease_token IS 'claim that currently holds the row; the apply step deletes the row only while this still matches';
COMMENT ON COLUMN embedding_outbox.lease_owner IS 'host:pid of the worker holding the lease (diagnostics only)';
COMMENT ON COLUMN embedding_outbox.leased_until IS 'the lease expires at this time; the row is claimable again after it';
COMMENT ON COLUMN embedding_outbox.created_at IS 'when the candidate''s stored embedding first went out of date (kept across re-queues)';
