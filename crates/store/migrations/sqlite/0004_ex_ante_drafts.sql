-- An ex-ante score sheet may be saved part-filled while it is a draft (SPEC §4, §5): a sub-item
-- not yet scored has no score (NULL), which is not the same as a score of 0. SQLite cannot drop
-- a NOT NULL constraint, so the table is rebuilt (nothing references it).
CREATE TABLE ex_ante_scores_new (
    id            INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES ex_ante_assessments(id),
    seq           INTEGER NOT NULL,
    dimension     TEXT NOT NULL,
    sub_item      TEXT NOT NULL,
    weight_x100   BIGINT NOT NULL,
    score_x100    BIGINT,
    opinion       TEXT NOT NULL DEFAULT ''
);
INSERT INTO ex_ante_scores_new (id, assessment_id, seq, dimension, sub_item, weight_x100, score_x100, opinion)
    SELECT id, assessment_id, seq, dimension, sub_item, weight_x100, score_x100, opinion FROM ex_ante_scores;
DROP TABLE ex_ante_scores;
ALTER TABLE ex_ante_scores_new RENAME TO ex_ante_scores;
