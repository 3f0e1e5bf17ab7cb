"""The vision tables (migration m004_vision): frame vectors per (video, model), shots, embedded prompts, captions.

Vectors are float32 blobs (sqlite-vec's layout, as in core.semantic.store) compared with numpy: a 2-hour film
has a few thousand embedded frames (512-d -> 2 kB each), one matrix product per query. Writers run inside the
caller's ``db.atomic()`` block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlite_utils


def write_model(db: sqlite_utils.Database, model: str, path: str, kind: str, dim: int, logit_scale: float,
                logit_bias: float) -> None:
    db.execute("INSERT OR REPLACE INTO vision_models (model, path, kind, dim, logit_scale, logit_bias) "
               "VALUES (?, ?, ?, ?, ?, ?)", [model, path, kind, dim, logit_scale, logit_bias])


def model_row(db: sqlite_utils.Database, model: str) -> dict[str, object] | None:
    """The stored facts of model identity ``model`` (path, kind, dim, logit_scale, logit_bias), or None."""
    rows = list(db.query("SELECT * FROM vision_models WHERE model = ?", [model]))
    return rows[0] if rows else None


def write_frames(db: sqlite_utils.Database, video: str, model: str, times_s: Sequence[float],
                 vectors: np.ndarray) -> None:
    """Store one batch of frame vectors, shape (len(times_s), dim) float32."""
    rows = [(video, model, float(t), np.asarray(v, dtype="<f4").tobytes())
            for t, v in zip(times_s, vectors, strict=True)]
    db.conn.executemany("INSERT OR REPLACE INTO vision_frames (video, model, t_s, vector) VALUES (?, ?, ?, ?)", rows)


def clear_frames(db: sqlite_utils.Database, video: str, model: str, after_s: float = -1.0) -> None:
    """Drop the video's vectors of ``model`` later than ``after_s`` (all of them by default)."""
    db.execute("DELETE FROM vision_frames WHERE video = ? AND model = ? AND t_s > ?", [video, model, after_s])


_CACHE: dict[tuple[int, str, str], tuple[tuple[int, float], np.ndarray, np.ndarray]] = {}
_CACHE_VIDEOS = 4  # (connection, video, model) matrices kept; a 2-hour film at one frame per 2 s is 7 MB


def frames(db: sqlite_utils.Database, video: str, model: str) -> tuple[np.ndarray, np.ndarray]:
    """(times_s (n,), vectors (n, dim)) of the video's embedded frames in time order; (0,) and (0, 0) if none.

    Reading 14,400 blobs takes SQLite about a second on a busy 2-core machine, so the matrix is kept per
    connection and re-read only when the video's rows change (their count or last time differ). The arrays
    are read-only views: copy before changing them."""
    n, last = db.execute("SELECT count(*), max(t_s) FROM vision_frames WHERE video = ? AND model = ?",
                         [video, model]).fetchone()
    if not n:
        return np.zeros(0), np.zeros((0, 0), np.float32)
    key, version = (id(db.conn), video, model), (int(n), float(last))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2]
    rows = db.execute("SELECT t_s, vector FROM vision_frames WHERE video = ? AND model = ? ORDER BY t_s",
                      [video, model]).fetchall()
    times = np.array([float(r[0]) for r in rows])
    mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
    times.setflags(write=False)
    if len(_CACHE) >= _CACHE_VIDEOS:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (version, times, mat)
    return times, mat


def models_with_frames(db: sqlite_utils.Database, video: str) -> list[str]:
    """Model identities that have vectors for ``video``, most frames first."""
    return [str(r[0]) for r in db.execute(
        "SELECT model, count(*) AS n FROM vision_frames WHERE video = ? GROUP BY model ORDER BY n DESC", [video])]


def last_frame(db: sqlite_utils.Database, video: str, model: str) -> float | None:
    """Time of the video's last embedded frame of ``model``, or None."""
    t = db.execute("SELECT max(t_s) FROM vision_frames WHERE video = ? AND model = ?", [video, model]).fetchone()[0]
    return None if t is None else float(t)


def count_frames(db: sqlite_utils.Database, video: str, model: str | None = None) -> int:
    if model is None:
        return int(db.execute("SELECT count(*) FROM vision_frames WHERE video = ?", [video]).fetchone()[0])
    return int(db.execute("SELECT count(*) FROM vision_frames WHERE video = ? AND model = ?",
                          [video, model]).fetchone()[0])


def write_shots(db: sqlite_utils.Database, video: str, spans: Sequence[tuple[float, float]]) -> None:
    """Replace the video's shots (start_s, end_s), as the evidence pass found them."""
    db.execute("DELETE FROM vision_shots WHERE video = ?", [video])
    db.conn.executemany("INSERT OR REPLACE INTO vision_shots (video, start_s, end_s) VALUES (?, ?, ?)",
                        [(video, float(a), float(max(a, b))) for a, b in spans])


def shots(db: sqlite_utils.Database, video: str) -> list[tuple[float, float]]:
    return [(float(r[0]), float(r[1])) for r in db.execute(
        "SELECT start_s, end_s FROM vision_shots WHERE video = ? ORDER BY start_s", [video])]


def write_prompts(db: sqlite_utils.Database, model: str, prompts: Sequence[str], vectors: np.ndarray) -> None:
    db.conn.executemany("INSERT OR REPLACE INTO vision_prompts (model, prompt, vector) VALUES (?, ?, ?)",
                        [(model, p, np.asarray(v, dtype="<f4").tobytes())
                         for p, v in zip(prompts, vectors, strict=True)])


def prompts(db: sqlite_utils.Database, model: str, wanted: Sequence[str]) -> dict[str, np.ndarray]:
    """Stored vectors of the ``wanted`` prompts for ``model`` (those not stored are absent)."""
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(wanted), 500):
        chunk = list(wanted[i:i + 500])
        rows = db.execute(f"SELECT prompt, vector FROM vision_prompts WHERE model = ? AND prompt IN "
                          f"({','.join('?' * len(chunk))})", [model, *chunk]).fetchall()
        out.update({str(r[0]): np.frombuffer(r[1], dtype="<f4") for r in rows})
    return out


def write_caption(db: sqlite_utils.Database, video: str, model: str, start_s: float, end_s: float, t_s: float,
                  text: str) -> None:
    db.execute("INSERT OR REPLACE INTO vision_captions (video, model, start_s, end_s, t_s, text) "
               "VALUES (?, ?, ?, ?, ?, ?)", [video, model, start_s, end_s, t_s, text])


def captions(db: sqlite_utils.Database, video: str) -> dict[float, str]:
    """Shot start_s -> caption (the most recently written model's, when several wrote one)."""
    rows = db.execute("SELECT start_s, text FROM vision_captions WHERE video = ? ORDER BY rowid", [video]).fetchall()
    return {float(r[0]): str(r[1]) for r in rows}
