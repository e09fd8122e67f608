-- Which projection generation readers use (DESIGN.md, "Read side"). A
-- generation is a schema holding every projection table (the migrations in
-- migrations/, applied to each); the log (event_log*) and this table stay
-- in public, outside any generation. `public` itself is the first one.
--   kind:  live (a rebuild, or the first generation: serves current reads
--          once caught up) or as_of (the state at a moment, for auditors;
--          never current)
--   state: building -> current -> retired (live), building -> ready
--          (as_of), any but current -> dropped
CREATE TABLE projection_generations (
  id BIGSERIAL PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  schema_name VARCHAR(63) NOT NULL,
  kind VARCHAR(20) NOT NULL CHECK (kind IN ('live', 'as_of')),
  state VARCHAR(20) NOT NULL
    CHECK (state IN ('building', 'current', 'retired', 'ready', 'dropped')),
  as_of TEXT,                                   -- the --as-of given (as_of only)
  as_of_time TIMESTAMP WITH TIME ZONE,          -- the cut-off it resolved to
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  caught_up_at TIMESTAMP WITH TIME ZONE,        -- became current, or ready
  retired_at TIMESTAMP WITH TIME ZONE,
  dropped_at TIMESTAMP WITH TIME ZONE,
  CHECK ((kind = 'as_of') = (as_of IS NOT NULL))
);
CREATE UNIQUE INDEX uq_projection_generations_name ON projection_generations (name)
  WHERE state <> 'dropped';
CREATE UNIQUE INDEX uq_projection_generations_schema ON projection_generations (schema_name)
  WHERE state <> 'dropped';
-- Readers use exactly one.
CREATE UNIQUE INDEX uq_projection_generations_current ON projection_generations ((TRUE))
  WHERE state = 'current';

INSERT INTO projection_generations (name, schema_name, kind, state, caught_up_at)
VALUES ('initial', 'public', 'live', 'current', now());

-- The projector builds generations and switches readers; the query service
-- reads which one is current and which as-of ones exist; the command
-- service reads the current one's audit chain heads.
GRANT SELECT, UPDATE ON projection_generations TO complexcare_projector;
GRANT SELECT ON projection_generations TO complexcare_query, complexcare_command;
