WITH input AS (
  SELECT :room::uuid AS room_id, :sender::uuid AS sender_id, g AS ord FROM generate_series(1, 10) g
), allowed AS (
  SELECT i.* FROM input i JOIN rooms r ON r.id = i.room_id JOIN room_members rm ON rm.room_id = r.id AND rm.user_id = i.sender_id
  WHERE r.kind <> 'direct'
), counts AS (SELECT room_id, count(*) AS c FROM allowed GROUP BY room_id
), bumped AS (
  UPDATE rooms r SET last_seq = r.last_seq + c.c FROM counts c WHERE r.id = c.room_id RETURNING r.id, r.last_seq, c.c
), inserted AS (
  INSERT INTO messages (room_id, seq, id, sender_id, content, attachments, client_msg_id, created_at, updated_at)
  SELECT a.room_id, b.last_seq - b.c + row_number() OVER (PARTITION BY a.room_id ORDER BY a.ord), gen_random_uuid(), a.sender_id, 'hello there, a bench message', '[]'::jsonb, NULL, now(), now()
  FROM allowed a JOIN bumped b ON b.id = a.room_id RETURNING *
), marked AS (
  UPDATE room_members rm SET last_read_seq = x.seq, delivered_seq = greatest(rm.delivered_seq, x.seq) FROM (SELECT room_id, sender_id, max(seq) seq FROM inserted GROUP BY 1, 2) x
  WHERE rm.room_id = x.room_id AND rm.user_id = x.sender_id AND rm.last_read_seq < x.seq
) SELECT room_id::text, seq, id::text FROM inserted;
