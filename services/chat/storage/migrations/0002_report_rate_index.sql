-- chat-svc: the per-user report rate counts a reporter's recent reports; this keeps it an index
-- range scan instead of a walk over every report.
CREATE INDEX reports_reporter_created_idx ON reports (reporter_id, created_at);
