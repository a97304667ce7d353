-- The document as the service serializes it, beside the JSONB, so reads
-- answer with the stored text instead of parsing and re-serializing.
-- Versions written before this migration are filled in at start
-- (PgRepository::backfill_document_text); until then reads fall back to
-- the JSONB's own text.
ALTER TABLE schema_versions ADD COLUMN document_text text;
