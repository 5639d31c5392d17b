-- A statement line's source ids are uuids as text, joined by spaces: a
-- large school's month writes some 70 MB of them per calculation. They
-- compress poorly (pglz saved a third and doubled the time of saving a
-- calculation; see docs/benchmarks.md, "Curators' pay"), so they are
-- stored out of line without compression.
ALTER TABLE pay_line_sources ALTER COLUMN source_ids SET STORAGE EXTERNAL;
