"""The schema, created and evolved only by these migrations (applied once each, in order).

Add a change as a new function at the end; never edit one that has shipped. Each runs in one transaction together
with its record in ``_sqlite_migrations``.
"""

from __future__ import annotations

import logging

import sqlite_utils
from sqlite_utils import Migrations

MIGRATIONS = Migrations("longwatch")


@MIGRATIONS()
def m001_library(db: sqlite_utils.Database) -> None:
    """Videos, index runs, per-window memory blobs and past queries."""
    db.execute(
        """
        CREATE TABLE videos (
            fingerprint TEXT PRIMARY KEY,      -- content hash (core.media.fingerprint)
            path TEXT NOT NULL,                -- last known location
            name TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            container TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            fps REAL NOT NULL,
            probe_json TEXT NOT NULL,          -- the whole VideoInfo
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE index_runs (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- 'memory' (video-LLM) or 'evidence'
            settings_key TEXT NOT NULL,        -- stable hash of (model identity, sampling, compression)
            settings_json TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','done','failed','cancelled')),
            frames_total INTEGER,
            windows_total INTEGER,
            windows_done INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            UNIQUE (video, kind, settings_key)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE memory_windows (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            window_index INTEGER NOT NULL,
            n_vst INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            meta_json TEXT NOT NULL,           -- per-VST frame index and time, encoding, shapes
            blob BLOB NOT NULL,                -- keys and values of every layer, see core.index
            PRIMARY KEY (run_id, window_index)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE queries (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- ask, find, ads, summary, search
            question TEXT NOT NULL,
            result_json TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute("CREATE INDEX queries_video ON queries(video, created_at)")


@MIGRATIONS()
def m_semantic(db: sqlite_utils.Database) -> None:
    """Search by meaning (core.semantic): evidence lines with their normalised text, embedding and FTS5 index."""
    db.execute(
        """
        CREATE TABLE semantic_lines (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ('speech','subtitle','ocr')),
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            text TEXT NOT NULL,                -- as the evidence pass wrote it
            norm TEXT NOT NULL,                -- core.semantic.normalize_text(text): what full-text search sees
            model TEXT,                        -- embedding model identity; NULL until embedded
            vector BLOB,                       -- float32 little-endian, unit length (sqlite-vec's float32 layout)
            UNIQUE (video, source, start_s, text)
        )
        """
    )
    db.execute("CREATE INDEX semantic_lines_todo ON semantic_lines(video, model)")
    db.execute(
        "CREATE VIRTUAL TABLE semantic_fts USING fts5(norm, content='semantic_lines', content_rowid='id', "
        "tokenize='porter unicode61')"
    )
    db.execute(
        "CREATE TRIGGER semantic_lines_ai AFTER INSERT ON semantic_lines BEGIN "
        "INSERT INTO semantic_fts(rowid, norm) VALUES (new.id, new.norm); END"
    )
    db.execute(
        "CREATE TRIGGER semantic_lines_ad AFTER DELETE ON semantic_lines BEGIN "
        "INSERT INTO semantic_fts(semantic_fts, rowid, norm) VALUES ('delete', old.id, old.norm); END"
    )


@MIGRATIONS()
def m002_evidence(db: sqlite_utils.Database) -> None:
    """Evidence: per-stage progress, frame statistics, shots, black frames, audio levels, silences, transcript,
    subtitles, on-screen text, and one FTS5 index over all the text. Rows hang off the video's evidence run
    (``index_runs`` with kind 'evidence'); times are seconds from the start of the file."""
    db.execute(
        """
        CREATE TABLE evidence_stages (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,               -- frames, ocr, audio, speech, subtitles
            settings_key TEXT NOT NULL,        -- hash of the options this stage depends on
            state TEXT NOT NULL CHECK (state IN ('running','done')),
            done_s REAL NOT NULL DEFAULT 0,    -- media seconds processed and committed (resume point)
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            PRIMARY KEY (run_id, stage)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE ev_frame_stats (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            t_s REAL NOT NULL,
            luma_mean REAL NOT NULL,           -- 0..255
            luma_p99 REAL NOT NULL,            -- 0..255, 99th percentile (a black frame is dark everywhere)
            sat_mean REAL NOT NULL,            -- 0..255
            dominant_rgb INTEGER NOT NULL,     -- 0xRRGGBB of the most common coarse colour
            hue_hist BLOB NOT NULL,            -- float32[12], saturation-weighted hue histogram, sums to <= 1
            motion REAL NOT NULL,              -- mean |grey difference| to the previous sample, 0..255
            cut_score REAL NOT NULL,           -- PySceneDetect ContentDetector frame score
            PRIMARY KEY (run_id, t_s)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE ev_cuts (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            t_s REAL NOT NULL,                 -- first frame of the new shot
            PRIMARY KEY (run_id, t_s)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE ev_ocr_obs (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            t_s REAL NOT NULL,
            text TEXT NOT NULL,
            score REAL NOT NULL,
            box_json TEXT NOT NULL              -- [[x, y] x 4] in the OCR frame's pixels
        )
        """
    )
    db.execute("CREATE INDEX ev_ocr_obs_run ON ev_ocr_obs(run_id, t_s)")
    db.execute(
        """
        CREATE TABLE ev_levels (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            t_s REAL NOT NULL,                 -- start of a 0.5 s block
            rms_db REAL NOT NULL,              -- dBFS, -100 for digital silence
            PRIMARY KEY (run_id, t_s)
        )
        """
    )
    for table in ("ev_shots", "ev_black", "ev_silences", "ev_ocr"):
        extra = {
            "ev_shots": "",
            "ev_black": ", luma_mean REAL NOT NULL",
            "ev_silences": ", rms_db REAL NOT NULL",
            "ev_ocr": ", text TEXT NOT NULL, score REAL NOT NULL, n_frames INTEGER NOT NULL",
        }[table]
        db.execute(
            f"""
            CREATE TABLE {table} (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
                start_s REAL NOT NULL,
                end_s REAL NOT NULL{extra}
            )
            """
        )
        db.execute(f"CREATE INDEX {table}_run ON {table}(run_id, start_s)")
    db.execute(
        """
        CREATE TABLE ev_transcript (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            text TEXT NOT NULL,
            avg_logprob REAL NOT NULL,
            no_speech_prob REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX ev_transcript_run ON ev_transcript(run_id, start_s)")
    db.execute(
        """
        CREATE TABLE ev_words (
            segment_id INTEGER NOT NULL REFERENCES ev_transcript(id) ON DELETE CASCADE,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            word TEXT NOT NULL,
            probability REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX ev_words_segment ON ev_words(segment_id, start_s)")
    db.execute(
        """
        CREATE TABLE ev_subtitles (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX ev_subtitles_run ON ev_subtitles(run_id, start_s)")
    # One full-text index over transcript, subtitles and on-screen text; rowid-free, filled by core.evidence.
    db.execute(
        """
        CREATE VIRTUAL TABLE ev_text USING fts5(
            text, source UNINDEXED, run_id UNINDEXED, start_s UNINDEXED, end_s UNINDEXED,
            tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """
    )


@MIGRATIONS()
def m003_app_segments(db: sqlite_utils.Database) -> None:
    """Ranges reviewed on the app's timeline (core.store.segments): detected ads, chapters, found events and
    hand-made marks, with the person's relabels, resizes and deletions."""
    db.execute(
        """
        CREATE TABLE app_segments (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- ad, chapter, event, mark
            label TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL CHECK (end_s >= start_s),
            score REAL NOT NULL DEFAULT 1.0,   -- 0..1
            source TEXT NOT NULL DEFAULT 'user', -- the detector that made it, or 'user' once edited by hand
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute("CREATE INDEX app_segments_video ON app_segments(video, kind, start_s)")


@MIGRATIONS()
def m004_answer_records(db: sqlite_utils.Database) -> None:
    """Stored answers become typed, versioned records (``core.store.answers``): old rows of every shape are
    rewritten once; a row that cannot be read is left as it is (the reader skips it with a log line)."""
    from core.store.answers import upgrade_all

    upgraded, unreadable = upgrade_all(db)
    if upgraded or unreadable:
        logging.getLogger(__name__).info("answer records: %d upgraded, %d unreadable left", upgraded, unreadable)


@MIGRATIONS()
def m005_run_model(db: sqlite_utils.Database) -> None:
    """A memory run remembers how to load the model that made it (folder or hub id, quantization, precision),
    so questions need not name the model again."""
    db.execute("ALTER TABLE index_runs ADD COLUMN model_json TEXT")  # ModelOptions of the model, as JSON; NULL for evidence runs


@MIGRATIONS()
def m006_vision(db: sqlite_utils.Database) -> None:
    """What is seen (core.vision): image-text embeddings of sampled frames, the shots they were grouped into,
    embedded prompt vocabularies, optional shot captions; and "visual" evidence lines for search by meaning
    (semantic_lines is rebuilt: SQLite cannot widen a CHECK constraint in place)."""
    db.execute(
        """
        CREATE TABLE vision_models (
            model TEXT PRIMARY KEY,            -- image-text model identity (name:dim:quantization)
            path TEXT NOT NULL,                -- the checkpoint folder it was loaded from
            kind TEXT NOT NULL,                -- clip, siglip
            dim INTEGER NOT NULL,
            logit_scale REAL NOT NULL,         -- exp(logit_scale) of the checkpoint (CLIP: 100)
            logit_bias REAL NOT NULL           -- SigLIP's bias, 0 for CLIP
        )
        """
    )
    db.execute(
        """
        CREATE TABLE vision_frames (
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            model TEXT NOT NULL,               -- image-text model identity (name:dim:quantization)
            t_s REAL NOT NULL,                 -- presentation time of the embedded frame
            vector BLOB NOT NULL,              -- float32 little-endian, unit length (sqlite-vec's float32 layout)
            PRIMARY KEY (video, model, t_s)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE vision_shots (
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL CHECK (end_s >= start_s),
            PRIMARY KEY (video, start_s)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE vision_prompts (
            model TEXT NOT NULL,               -- image-text model identity
            prompt TEXT NOT NULL,
            vector BLOB NOT NULL,              -- float32 little-endian, unit length
            PRIMARY KEY (model, prompt)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE vision_captions (
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            model TEXT NOT NULL,               -- captioning model identity
            start_s REAL NOT NULL,             -- the shot it describes
            end_s REAL NOT NULL,
            t_s REAL NOT NULL,                 -- the keyframe that was captioned
            text TEXT NOT NULL,
            PRIMARY KEY (video, model, start_s)
        )
        """
    )
    _semantic_lines_with_visual(db)


def _semantic_lines_with_visual(db: sqlite_utils.Database) -> None:
    """semantic_lines with 'visual' among its sources; rows, ids (the FTS rowids) and vectors are kept."""
    db.execute("DROP TRIGGER semantic_lines_ai")
    db.execute("DROP TRIGGER semantic_lines_ad")
    db.execute("ALTER TABLE semantic_lines RENAME TO semantic_lines_m004")
    db.execute("DROP INDEX semantic_lines_todo")
    db.execute(
        """
        CREATE TABLE semantic_lines (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ('speech','subtitle','ocr','visual')),
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            text TEXT NOT NULL,                -- as the evidence pass wrote it
            norm TEXT NOT NULL,                -- core.semantic.normalize_text(text): what full-text search sees
            model TEXT,                        -- embedding model identity; NULL until embedded
            vector BLOB,                       -- float32 little-endian, unit length (sqlite-vec's float32 layout)
            UNIQUE (video, source, start_s, text)
        )
        """
    )
    db.execute("INSERT INTO semantic_lines SELECT * FROM semantic_lines_m004")
    db.execute("DROP TABLE semantic_lines_m004")
    db.execute("CREATE INDEX semantic_lines_todo ON semantic_lines(video, model)")
    db.execute(
        "CREATE TRIGGER semantic_lines_ai AFTER INSERT ON semantic_lines BEGIN "
        "INSERT INTO semantic_fts(rowid, norm) VALUES (new.id, new.norm); END"
    )
    db.execute(
        "CREATE TRIGGER semantic_lines_ad AFTER DELETE ON semantic_lines BEGIN "
        "INSERT INTO semantic_fts(semantic_fts, rowid, norm) VALUES ('delete', old.id, old.norm); END"
    )


@MIGRATIONS()
def m_one_text_index(db: sqlite_utils.Database) -> None:
    """One full-text index over the evidence lines: the evidence pass's own FTS table (ev_text) goes; search
    reads semantic_fts over the normalised lines (core.semantic.search), synced from the evidence on demand."""
    db.execute("DROP TABLE IF EXISTS ev_text")


@MIGRATIONS()
def m_ads_logo_edges(db: sqlite_utils.Database) -> None:
    """Channel-logo evidence (core.evidence.logo): edge bits of the four picture corners, every 2nd frame sample
    of the evidence frame pass; the logo's static region and its presence are derived from them."""
    db.execute(
        """
        CREATE TABLE ev_logo_edges (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            t_s REAL NOT NULL,
            corner_h INTEGER NOT NULL,         -- px of one corner region at core.evidence.logo.LOGO_WIDTH
            corner_w INTEGER NOT NULL,
            bits BLOB NOT NULL,                -- zlib(packbits(bool[4, corner_h, corner_w])): TL, TR, BL, BR
            PRIMARY KEY (run_id, t_s)
        )
        """
    )


@MIGRATIONS()
def m_jobs_queue(db: sqlite_utils.Database) -> None:
    """The library's job queue (``core.store.jobs``): one row per analysis of one file (evidence pass, video-LLM
    index, ads, summary) with its state, priority, attempts, last error and progress; the worker holding a
    running job and until when (a lease it renews); an event log per job; queue-wide flags (paused)."""
    db.execute(
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL,               -- fingerprint of the file's content when it was queued
            path TEXT NOT NULL,                -- where the file was when queued (the worker finds moves by fingerprint)
            kind TEXT NOT NULL,                -- evidence, index, ads, summary
            settings_key TEXT NOT NULL,        -- hash of the settings this kind depends on
            settings_json TEXT NOT NULL,       -- the whole Settings the job runs with
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued','running','paused','done','failed','cancelled')),
            request TEXT CHECK (request IN ('pause','cancel')),  -- asked of the worker running it
            priority INTEGER NOT NULL DEFAULT 0,  -- higher runs first
            position REAL NOT NULL,            -- order within a priority (reorder rewrites it)
            attempts INTEGER NOT NULL DEFAULT 0,  -- tries that count against max_attempts (see core.store.jobs)
            reports INTEGER NOT NULL DEFAULT 0,   -- progress reports ever written (a try that wrote some made progress)
            reports_at_claim INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL DEFAULT 3,
            error TEXT,                        -- the last failure, one line
            stage TEXT,                        -- progress: stage, done / total in unit
            done REAL,
            total REAL,
            unit TEXT,
            worker TEXT,                       -- host:pid:token of the worker holding it
            lease_until REAL,                  -- unix seconds; a running job whose lease ran out is reclaimed
            not_before REAL,                   -- unix seconds; a retried job waits until then
            source TEXT NOT NULL DEFAULT 'cli',  -- who queued it: cli, watch, postprocess, app
            result_json TEXT,                  -- a short summary of what the job made
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            started_at TEXT,
            finished_at TEXT,
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            UNIQUE (video, kind, settings_key)
        )
        """
    )
    db.execute("CREATE INDEX jobs_order ON jobs(state, priority DESC, position, id)")
    db.execute("CREATE INDEX jobs_video ON jobs(video, state)")
    db.execute(
        """
        CREATE TABLE job_events (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            event TEXT NOT NULL,               -- queued, claimed, done, failed, retry, reclaimed, paused, ...
            worker TEXT,
            detail TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute("CREATE INDEX job_events_job ON job_events(job_id, id)")
    db.execute("CREATE TABLE queue_flags (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE watch_files (
            path TEXT PRIMARY KEY,             -- a file seen in a watch folder
            size_bytes INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            changed_at REAL NOT NULL,          -- unix seconds of the scan that first saw this size and time
            fingerprint TEXT,                  -- set once the file stopped growing and was queued
            error TEXT,                        -- why it could not be queued (one line), until it changes
            seen_at REAL NOT NULL              -- unix seconds of the last scan that saw it
        )
        """
    )


@MIGRATIONS()
def m007_object_detections(db: sqlite_utils.Database) -> None:
    """Objects seen (core.vision's object stage): the frames the COCO object detector looked at (a frame with
    nothing found still counts: it ends a run of frames showing the thing) and every detection in them."""
    db.execute(
        """
        CREATE TABLE vision_object_frames (
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            model TEXT NOT NULL,               -- detector identity (file stem:sha256 prefix)
            t_s REAL NOT NULL,                 -- presentation time of the frame looked at
            PRIMARY KEY (video, model, t_s)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE vision_objects (
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            model TEXT NOT NULL,
            t_s REAL NOT NULL,                 -- the frame (a row of vision_object_frames)
            label TEXT NOT NULL,               -- COCO class name (core.vision.coco.CLASSES)
            score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),  -- the detector's raw score
            x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL  -- box, fractions of the frame
        )
        """
    )
    db.execute("CREATE INDEX vision_objects_frame ON vision_objects(video, model, t_s)")
