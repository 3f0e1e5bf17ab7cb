"""What a library holds, as digests: per video, the evidence rows, the embedded lines and every finished memory.

Two libraries built from the same files with the same settings, locally or on a cluster, killed or not, have
equal digests: this is how the tests and benchmarks prove it (and how anyone can check two libraries).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class VideoDigest:
    video: str  # fingerprint
    evidence: str | None  # sha256 of the evidence rows (core.evidence.transfer), None without evidence
    lines: str  # sha256 of the embedded lines and vectors
    memories: tuple[tuple[str, str], ...]  # (settings key, memory sha256) of every finished memory run


def video_digest(db: sqlite_utils.Database, fingerprint: str) -> VideoDigest:
    from core.evidence.transfer import evidence_digest
    from core.index import list_runs, run_stats
    from core.semantic.store import lines_digest

    memories = tuple(sorted((r.settings_key, run_stats(db, r.id).memory_sha256)
                            for r in list_runs(db, fingerprint) if r.complete))
    return VideoDigest(fingerprint, evidence_digest(db, fingerprint), lines_digest(db, fingerprint), memories)


def library_digests(db: sqlite_utils.Database) -> dict[str, VideoDigest]:
    """Every video's digest, by fingerprint."""
    fps = [str(r[0]) for r in db.execute("SELECT fingerprint FROM videos ORDER BY fingerprint").fetchall()]
    return {fp: video_digest(db, fp) for fp in fps}
