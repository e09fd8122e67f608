-- An as-of generation is cut from two streams, each replayed by its own
-- builder, possibly in different projector processes: the domain log
-- ('changes') and the access stream ('access'). Each records here that it
-- reached the cut; the one that completes the pair makes the generation
-- ready, in the same transaction (projector/supervisor.cpp), so readers
-- never see an as-of state without the reads and refusals up to its cut.
CREATE TABLE projection_generation_streams (
  generation_id BIGINT NOT NULL REFERENCES projection_generations(id),
  stream VARCHAR(20) NOT NULL CHECK (stream IN ('changes', 'access')),
  reached_cut_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (generation_id, stream)
);

GRANT SELECT, INSERT ON projection_generation_streams TO complexcare_projector;
