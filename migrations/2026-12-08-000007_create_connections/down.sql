DROP TRIGGER jobs_connection ON jobs;
DROP FUNCTION jobs_lock_connection();
DROP TABLE connections;
DROP FUNCTION connections_refuse_busy_delete();
