-- Internal notes are visible to the agency that wrote them (and administrators) only: each
-- staff event records the writer's agency. Earlier events get it from the staff table where
-- the writer is still there.
ALTER TABLE case_events ADD COLUMN actor_agency TEXT;
UPDATE case_events SET actor_agency = (
    SELECT s.agency FROM staff s WHERE s.user_id = case_events.actor_id
) WHERE actor_kind = 'staff';
