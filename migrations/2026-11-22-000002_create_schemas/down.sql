DROP TABLE schema_versions;
DROP TABLE schemas;
