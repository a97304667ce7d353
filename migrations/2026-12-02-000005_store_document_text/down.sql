ALTER TABLE schema_versions DROP COLUMN document_text;
