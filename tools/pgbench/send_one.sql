WITH allowed AS (
  SELECT 1 FROM rooms r JOIN room_members rm ON rm.room_id = r.id AND rm.user_id = :sender::uuid
  WHERE r.id = :room::uuid AND (r.kind <> 'direct' OR NOT EXISTS (
    SELECT 1 FROM blocks b WHERE
      (b.blocker_id = split_part(r.direct_key, ':', 1)::uuid AND b.blocked_id = split_part(r.direct_key, ':', 2)::uuid)
   OR (b.blocker_id = split_part(r.direct_key, ':', 2)::uuid AND b.blocked_id = split_part(r.direct_key, ':', 1)::uuid)))
), existing AS (
  SELECT * FROM messages WHERE room_id = :room::uuid AND sender_id = :sender::uuid AND client_msg_id = NULL::text AND EXISTS (SELECT 1 FROM allowed)
), bumped AS (
  UPDATE rooms SET last_seq = last_seq + 1 WHERE id = :room::uuid AND EXISTS (SELECT 1 FROM allowed) AND NOT EXISTS (SELECT 1 FROM existing) RETURNING last_seq
), inserted AS (
  INSERT INTO messages (room_id, seq, id, sender_id, content, attachments, client_msg_id, created_at, updated_at)
  SELECT :room::uuid, last_seq, gen_random_uuid(), :sender::uuid, 'hello there, a bench message'::text, '[]'::jsonb, NULL::text, now(), now() FROM bumped RETURNING *
), marked AS (
  UPDATE room_members SET last_read_seq = inserted.seq, delivered_seq = greatest(room_members.delivered_seq, inserted.seq) FROM inserted
  WHERE room_members.room_id = :room::uuid AND room_members.user_id = :sender::uuid AND room_members.last_read_seq < inserted.seq
) SELECT m.room_id::text, m.seq, m.id::text FROM (SELECT *, true AS created FROM inserted UNION ALL SELECT *, false FROM existing) m;
