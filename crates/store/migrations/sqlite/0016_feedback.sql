-- Public feedback (issue 12 item 3): a project's ratings and comments, an address's recent
-- entries (the rate limit), and the comments waiting for moderation.
CREATE INDEX feedback_project ON feedback(project_id, state);
CREATE INDEX feedback_ip ON feedback(ip_hash, created_at);
CREATE INDEX feedback_pending ON feedback(region_code, state);
