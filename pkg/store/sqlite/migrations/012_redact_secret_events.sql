-- A Secret's values leave the event log. Events carry each value of a
-- Secret's spec.data as "REDACTED" since this version (api.RedactSecret);
-- the events stored before it still held the values, and the log is never
-- trimmed. instr() passes over every other event without parsing it.
UPDATE events
SET body = json_set(body, '$.payload.spec.data',
    json((SELECT json_group_object(key, 'REDACTED') FROM json_each(body, '$.payload.spec.data'))))
WHERE instr(body, '"kind":"Secret"') > 0
  AND json_extract(body, '$.payload.kind') = 'Secret'
  AND json_extract(body, '$.payload.group') = 'management'
  AND json_type(body, '$.payload.spec.data') = 'object';
