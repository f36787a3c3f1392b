-- Publishing a rating run makes its results public (rankings, pioneer
-- lists). Until then only the rated organisation, analysts, banks and the
-- city see them: the review window for objections.

CREATE TABLE rating_publications (
    run_id        TEXT NOT NULL PRIMARY KEY,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL
);
