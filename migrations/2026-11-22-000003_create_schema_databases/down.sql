DROP TABLE schema_databases;
