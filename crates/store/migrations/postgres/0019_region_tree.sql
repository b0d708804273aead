-- Issue 14: regions form a tree (省 → 州/市 → 县). `region_paths` is its closure: one row for
-- every (ancestor, descendant) pair, the region itself included at depth 0, so "everything
-- under this region" is one indexed join rather than a recursive walk per query.
CREATE TABLE region_paths (
    ancestor   TEXT NOT NULL REFERENCES regions(code),
    descendant TEXT NOT NULL REFERENCES regions(code),
    depth      INTEGER NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX region_paths_descendant ON region_paths (descendant, depth);

WITH RECURSIVE up (descendant, ancestor, depth) AS (
    SELECT code, code, 0 FROM regions
    UNION ALL
    SELECT up.descendant, r.parent_code, up.depth + 1
    FROM up JOIN regions r ON r.code = up.ancestor
    WHERE r.parent_code IS NOT NULL
)
INSERT INTO region_paths (ancestor, descendant, depth)
SELECT ancestor, descendant, depth FROM up;

-- An upper-level user may look into one of its subordinate regions (drill-down); the browser
-- session remembers which. Checked against `region_paths` on every request.
ALTER TABLE sessions ADD COLUMN viewing_region TEXT REFERENCES regions(code);
