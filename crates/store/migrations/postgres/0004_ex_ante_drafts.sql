-- An ex-ante score sheet may be saved part-filled while it is a draft (SPEC §4, §5): a sub-item
-- not yet scored has no score (NULL), which is not the same as a score of 0.
ALTER TABLE ex_ante_scores ALTER COLUMN score_x100 DROP NOT NULL;
