-- PostgreSQL stores a line's source ids uncompressed from here on; SQLite
-- never compresses a value, so there is nothing to change.
SELECT 1;
