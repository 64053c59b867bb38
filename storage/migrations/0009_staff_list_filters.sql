-- The filters of a staff member's last case list, so that "Berikutnya" after a restart pages
-- through the same list (they were kept in memory before).
CREATE TABLE staff_list_filters (
    user_id     INTEGER PRIMARY KEY,
    filters     TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
