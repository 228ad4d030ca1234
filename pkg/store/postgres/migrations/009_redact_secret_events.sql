-- A Secret's values leave the event log. Events carry each value of a
-- Secret's spec.data as "REDACTED" since this version (api.RedactSecret);
-- the events stored before it still held the values, and the log is never
-- trimmed. The LIKE passes over every other event without parsing it; the
-- events it changes are written back as jsonb prints them.
UPDATE events
SET body = jsonb_set(body::jsonb, '{payload,spec,data}',
    (SELECT coalesce(jsonb_object_agg(key, to_jsonb('REDACTED'::text)), '{}'::jsonb)
     FROM jsonb_each(body::jsonb #> '{payload,spec,data}')))::text
WHERE body LIKE '%"kind":"Secret"%'
  AND body::jsonb #>> '{payload,kind}' = 'Secret'
  AND body::jsonb #>> '{payload,group}' = 'management'
  AND jsonb_typeof(body::jsonb #> '{payload,spec,data}') = 'object';
