"""The job queue in the library database: every analysis of a file is a row of ``jobs`` (migration
``m_jobs_queue``) that workers claim, renew, finish or give back, each step one transaction.

States: ``queued`` -> ``running`` -> ``done`` | ``failed`` | ``cancelled``, and ``paused`` (held: never claimed).
A running job may carry a ``request`` ('pause' or 'cancel') that its worker honours at its next progress report;
the queue as a whole can be paused too (``set_queue_paused``: workers claim nothing new).

Claiming is one ``BEGIN IMMEDIATE`` transaction, so two processes never take the same job. It first gives back
the running jobs whose worker is gone (its lease ran out, or it was a process on this host that no longer exists:
``kill -9``), then takes the first claimable job, highest priority then position. A job is claimable when it is
queued, its retry delay is over, no other job of the same video is running, and no job of the same video of an
earlier kind (evidence, index, ads, summary, in that order) is still waiting or running: one worker per video,
the evidence first.

Attempts: every claim counts one, but a try whose worker died after it reported progress is given back uncounted
(the work it committed stays; a power cut or a kill every few minutes must not fail a long recording), so a job
fails after ``max_attempts`` errors, or crashes of its worker without any progress (a file that kills the
decoder every time must not stop the queue).

Nothing is lost and nothing is done twice: the work itself commits per window (index) or per checkpoint (the
evidence pass), so a job given back resumes where it stopped; ``finish`` only succeeds for the worker holding the
job (a worker that lost its lease cannot mark it done); and a ``done`` job is never queued again (``enqueue``
returns it as it is). ``job_events`` keeps each job's history (queued, claimed, reclaimed, done, ...).

Times for leases are unix seconds passed in by the caller (``now``), so tests can drive the clock.

Why by hand: job-queue libraries (huey, rq, celery, dramatiq) need a broker or a database file and a process model
of their own; this queue must live in the one library database next to the rows its jobs write, readable by the
app and the command line, so it is one table and a handful of transactions.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import UsageError

JOB_KINDS = ("evidence", "index", "ads", "summary")  # in the order one video's jobs run
JOB_STATES = ("queued", "running", "paused", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")
LEASE_S = 90.0  # a running job whose worker has not renewed it for this long is given back
_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
_KIND_ORDER_SQL = "(CASE {t}.kind WHEN 'evidence' THEN 0 WHEN 'index' THEN 1 WHEN 'ads' THEN 2 ELSE 3 END)"
_LIST_ORDER = ("CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 WHEN 'paused' THEN 2 WHEN 'failed' THEN 3 "
               "WHEN 'cancelled' THEN 4 ELSE 5 END, priority DESC, position, id")


@dataclass(frozen=True)
class Job:
    """One row of the queue (what the app's queue view and ``longwatch-cli queue list`` show)."""

    id: int
    video: str  # fingerprint
    path: str
    kind: str  # one of JOB_KINDS
    state: str  # one of JOB_STATES
    priority: int
    position: float
    attempts: int
    max_attempts: int
    settings: dict[str, Any]  # the Settings fields the job runs with
    settings_key: str
    request: str | None = None  # 'pause' / 'cancel' asked of the worker running it
    error: str | None = None  # the last failure, one line
    stage: str | None = None  # progress
    done: float | None = None
    total: float | None = None
    unit: str | None = None
    worker: str | None = None
    lease_until: float | None = None
    source: str = "cli"
    result: dict[str, Any] | None = None
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def fraction(self) -> float | None:
        if self.state == "done":
            return 1.0
        if not self.total or self.done is None:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "settings"}
        out["name"] = self.name
        out["fraction"] = self.fraction
        return out

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Job:
        return cls(
            id=int(r["id"]), video=r["video"], path=r["path"], kind=r["kind"], state=r["state"],
            priority=int(r["priority"]), position=float(r["position"]), attempts=int(r["attempts"]),
            max_attempts=int(r["max_attempts"]), settings=json.loads(r["settings_json"]),
            settings_key=r["settings_key"], request=r["request"], error=r["error"], stage=r["stage"],
            done=r["done"], total=r["total"], unit=r["unit"], worker=r["worker"], lease_until=r["lease_until"],
            source=r["source"], result=json.loads(r["result_json"]) if r["result_json"] else None,
            created_at=r["created_at"], started_at=r["started_at"], finished_at=r["finished_at"],
        )


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    event: str
    worker: str | None
    detail: str | None
    at: str


def worker_id() -> str:
    """``host:pid:token``: who holds a job (the pid lets a worker on the same host see that it died)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def worker_gone(worker: str | None) -> bool:
    """True when ``worker`` was a process on this host that no longer exists (other hosts: leases decide)."""
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user has that pid now: not ours, ours is gone
        return True
    return False


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction that holds the write lock from its first statement (``BEGIN IMMEDIATE``); waits for
    other writers through the busy timeout instead of failing on a stale snapshot."""
    if db.conn.in_transaction:  # inside the caller's transaction: a savepoint of it
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def _event(db: sqlite_utils.Database, job_id: int, event: str, worker: str | None = None,
           detail: str | None = None) -> None:
    db.execute("INSERT INTO job_events (job_id, event, worker, detail) VALUES (?, ?, ?, ?)",
               [job_id, event, worker, detail])


def _one(db: sqlite_utils.Database, job_id: int) -> Job | None:
    rows = list(db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
    return Job.from_row(rows[0]) if rows else None


def get_job(db: sqlite_utils.Database, job_id: int) -> Job:
    job = _one(db, job_id)
    if job is None:
        raise UsageError(f"There is no job {job_id} in the queue; see `longwatch-cli queue list`.")
    return job


# ---- queueing -------------------------------------------------------------------------------------------------


def enqueue(db: sqlite_utils.Database, *, video: str, path: str, kind: str, settings: dict[str, Any],
            settings_key: str, priority: int = 0, source: str = "cli", max_attempts: int = 3,
            requeue: bool = False) -> tuple[Job, bool]:
    """Queue ``kind`` for ``video`` (at ``path``) unless that exact job exists; returns (job, queued now).

    A done job stays done (its work is never redone). A failed or cancelled one is queued again only with
    ``requeue`` (an explicit request: ``queue add``, ``postprocess``), and a paused one is resumed by it too.
    A waiting job learns the file's newest path.
    """
    if kind not in JOB_KINDS:
        raise UsageError(f"Job kind {kind!r} is unknown; use one of {', '.join(JOB_KINDS)}.")
    if max_attempts < 1:
        raise UsageError(f"max_attempts {max_attempts} must be at least 1.")
    with immediate(db):
        rows = list(db.query("SELECT * FROM jobs WHERE video = ? AND kind = ? AND settings_key = ?",
                             [video, kind, settings_key]))
        if not rows:
            position = float(db.execute("SELECT coalesce(max(position), 0) + 1 FROM jobs").fetchone()[0])
            cur = db.execute(
                "INSERT INTO jobs (video, path, kind, settings_key, settings_json, priority, position, "
                "max_attempts, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [video, path, kind, settings_key, json.dumps(settings, sort_keys=True), priority, position,
                 max_attempts, source])
            job_id = int(cur.lastrowid or 0)
            _event(db, job_id, "queued", detail=source)
            return get_job(db, job_id), True
        job = Job.from_row(rows[0])
        again = requeue and job.state in ("failed", "cancelled", "paused")
        if again:
            db.execute(f"UPDATE jobs SET state = 'queued', request = NULL, attempts = 0, not_before = NULL, "
                       f"path = ?, priority = max(priority, ?), updated_at = {_NOW_SQL} WHERE id = ?",
                       [path, priority, job.id])
            _event(db, job.id, "requeued", detail=source)
        elif job.state in ("queued", "paused") and job.path != path:
            db.execute(f"UPDATE jobs SET path = ?, updated_at = {_NOW_SQL} WHERE id = ?", [path, job.id])
        return get_job(db, job.id), again


# ---- workers --------------------------------------------------------------------------------------------------


def claim(db: sqlite_utils.Database, worker: str, *, now: float | None = None, lease_s: float = LEASE_S,
          job_id: int | None = None, kinds: Sequence[str] | None = None) -> Job | None:
    """Take the next claimable job (or job ``job_id`` when it is claimable) for ``worker``; None when there is
    none (or the queue is paused and no job was named)."""
    now = time.time() if now is None else now
    with immediate(db):
        reclaim_stale(db, now)
        if job_id is None and queue_paused(db):
            return None
        where = ["j.state = 'queued'", "(j.not_before IS NULL OR j.not_before <= ?)"]
        params: list[Any] = [now]
        if job_id is not None:
            where.append("j.id = ?")
            params.append(job_id)
        if kinds:
            where.append(f"j.kind IN ({','.join('?' * len(kinds))})")
            params.extend(kinds)
        blocked = (f"EXISTS (SELECT 1 FROM jobs o WHERE o.video = j.video AND o.id != j.id AND (o.state = "
                   f"'running' OR (o.state IN ('queued', 'paused') AND {_KIND_ORDER_SQL.format(t='o')} < "
                   f"{_KIND_ORDER_SQL.format(t='j')})))")
        pick = (f"SELECT j.id FROM jobs j WHERE {' AND '.join(where)} AND NOT {blocked} "
                "ORDER BY j.priority DESC, j.position, j.id LIMIT 1")
        rows = db.execute(
            f"UPDATE jobs SET state = 'running', worker = ?, lease_until = ?, attempts = attempts + 1, "
            f"request = NULL, reports_at_claim = reports, started_at = {_NOW_SQL}, "
            f"updated_at = {_NOW_SQL} WHERE id = ({pick}) RETURNING id",
            [worker, now + lease_s, *params]).fetchall()
        if not rows:
            return None
        job = get_job(db, int(rows[0][0]))
        _event(db, job.id, "claimed", worker, f"attempt {job.attempts}")
        return job


def reclaim_stale(db: sqlite_utils.Database, now: float) -> list[int]:
    """Give back the running jobs whose worker is gone (call inside a write transaction); returns their ids.

    A job asked to pause or cancel gets that state. A try that reported progress does not count; one that did
    not, and was the job's last attempt, fails it. The others are queued again and resume where they stopped.
    """
    rows = list(db.query("SELECT id, worker, lease_until, request, attempts, max_attempts, reports, "
                         "reports_at_claim FROM jobs WHERE state = 'running'"))
    back = []
    for r in rows:
        if not ((r["lease_until"] or 0) < now or worker_gone(r["worker"])):
            continue
        progressed = r["reports"] > r["reports_at_claim"]
        if r["request"] in ("pause", "cancel"):
            state = "paused" if r["request"] == "pause" else "cancelled"
            error = None
        elif r["attempts"] >= r["max_attempts"] and not progressed:
            state = "failed"
            error = (f"its worker stopped {r['attempts']} times without making progress (crashed or killed); "
                     "check the file, then retry")
        else:
            state, error = "queued", None
        db.execute(f"UPDATE jobs SET state = ?, request = NULL, worker = NULL, lease_until = NULL, "
                   f"attempts = attempts - ?, error = coalesce(?, error), "
                   f"finished_at = CASE WHEN ? IN ('failed','cancelled') THEN {_NOW_SQL} END, "
                   f"updated_at = {_NOW_SQL} WHERE id = ?",
                   [state, 1 if progressed and state == "queued" else 0, error, state, r["id"]])
        _event(db, int(r["id"]), "reclaimed", r["worker"], state + (" (made progress)" if progressed else ""))
        back.append(int(r["id"]))
    return back


def renew(db: sqlite_utils.Database, worker: str, *, now: float | None = None, lease_s: float = LEASE_S) -> int:
    """Extend the lease of every job ``worker`` holds; returns how many it holds."""
    now = time.time() if now is None else now
    with immediate(db):
        cur = db.execute("UPDATE jobs SET lease_until = ? WHERE worker = ? AND state = 'running'",
                         [now + lease_s, worker])
    return int(cur.rowcount)


def report(db: sqlite_utils.Database, job_id: int, worker: str, *, stage: str, done: float,
           total: float | None, unit: str) -> str | None:
    """Record a running job's progress; returns what is asked of the worker: None, 'pause', 'cancel', or
    'lost' when the worker no longer holds the job (its lease ran out and it was given back)."""
    with immediate(db):
        cur = db.execute(f"UPDATE jobs SET stage = ?, done = ?, total = ?, unit = ?, reports = reports + 1, "
                         f"updated_at = {_NOW_SQL} "
                         "WHERE id = ? AND worker = ? AND state = 'running'",
                         [stage, done, total, unit, job_id, worker])
        if cur.rowcount != 1:
            return "lost"
        row = db.execute("SELECT request FROM jobs WHERE id = ?", [job_id]).fetchone()
    return str(row[0]) if row[0] else None


def finish(db: sqlite_utils.Database, job_id: int, worker: str, *, result: dict[str, Any] | None = None) -> bool:
    """Mark the job done; False (and nothing changes) when ``worker`` does not hold it any more."""
    with immediate(db):
        cur = db.execute(f"UPDATE jobs SET state = 'done', request = NULL, error = NULL, worker = NULL, "
                         f"lease_until = NULL, result_json = ?, done = total, finished_at = {_NOW_SQL}, "
                         f"updated_at = {_NOW_SQL} WHERE id = ? AND worker = ? AND state = 'running'",
                         [json.dumps(result, sort_keys=True) if result is not None else None, job_id, worker])
        if cur.rowcount != 1:
            return False
        _event(db, job_id, "done", worker)
    return True


def fail(db: sqlite_utils.Database, job_id: int, worker: str, error: str, *, retry: bool,
         now: float | None = None, backoff_s: float = 30.0) -> Job | None:
    """The job stopped with ``error``: queued again after ``backoff_s`` x attempts when ``retry`` and attempts
    are left, else failed. None when ``worker`` does not hold it any more."""
    now = time.time() if now is None else now
    error = " ".join(error.split())[:500] or "failed"
    with immediate(db):
        job = _one(db, job_id)
        if job is None or job.worker != worker or job.state != "running":
            return None
        again = retry and job.attempts < job.max_attempts
        db.execute(f"UPDATE jobs SET state = ?, error = ?, worker = NULL, lease_until = NULL, request = NULL, "
                   f"not_before = ?, finished_at = CASE WHEN ? THEN NULL ELSE {_NOW_SQL} END, "
                   f"updated_at = {_NOW_SQL} WHERE id = ?",
                   ["queued" if again else "failed", error, now + backoff_s * job.attempts if again else None,
                    again, job_id])
        _event(db, job_id, "retry" if again else "failed", worker, error)
        return get_job(db, job_id)


def give_back(db: sqlite_utils.Database, job_id: int, worker: str) -> Job | None:
    """The worker stopped the job without finishing it: paused or cancelled when that was asked, else queued
    again (a worker shutting down). None when ``worker`` does not hold it."""
    with immediate(db):
        job = _one(db, job_id)
        if job is None or job.worker != worker or job.state != "running":
            return None
        state = {"pause": "paused", "cancel": "cancelled"}.get(job.request or "", "queued")
        db.execute(f"UPDATE jobs SET state = ?, request = NULL, worker = NULL, lease_until = NULL, "
                   f"attempts = CASE WHEN ? = 'queued' THEN max(attempts - 1, 0) ELSE attempts END, "
                   f"finished_at = CASE WHEN ? = 'cancelled' THEN {_NOW_SQL} END, updated_at = {_NOW_SQL} "
                   "WHERE id = ?", [state, state, state, job_id])
        _event(db, job_id, {"queued": "given back"}.get(state, state), worker)
        return get_job(db, job_id)


# ---- what people do with the queue ----------------------------------------------------------------------------


def pause(db: sqlite_utils.Database, job_id: int) -> Job:
    """Hold a job: a waiting one is paused now, a running one at its worker's next progress report."""
    return _control(db, job_id, "pause", {"queued": "paused"}, {"running"})


def resume(db: sqlite_utils.Database, job_id: int) -> Job:
    """Let a paused job run again (a pause asked of a running job is withdrawn)."""
    return _control(db, job_id, "resume", {"paused": "queued"}, set())


def cancel(db: sqlite_utils.Database, job_id: int) -> Job:
    """Drop a job: a waiting or paused one now, a running one at its worker's next progress report."""
    return _control(db, job_id, "cancel", {"queued": "cancelled", "paused": "cancelled"}, {"running"})


def retry(db: sqlite_utils.Database, job_id: int) -> Job:
    """Queue a failed or cancelled job again, with its attempts counted from zero."""
    return _control(db, job_id, "retry", {"failed": "queued", "cancelled": "queued"}, set())


def _control(db: sqlite_utils.Database, job_id: int, action: str, moves: dict[str, str],
             ask_running: set[str]) -> Job:
    with immediate(db):
        job = get_job(db, job_id)
        if job.state in moves:
            new = moves[job.state]
            db.execute(f"UPDATE jobs SET state = ?, request = NULL, not_before = NULL, "
                       f"attempts = CASE WHEN ? = 'retry' THEN 0 ELSE attempts END, "
                       f"finished_at = CASE WHEN ? = 'cancelled' THEN {_NOW_SQL} END, updated_at = {_NOW_SQL} "
                       "WHERE id = ?", [new, action, new, job_id])
            _event(db, job_id, {"queued": "resumed" if action == "resume" else "requeued"}.get(new, new))
        elif job.state in ask_running:
            db.execute(f"UPDATE jobs SET request = ?, updated_at = {_NOW_SQL} WHERE id = ?", [action, job_id])
            _event(db, job_id, f"{action} asked")
        elif action == "resume" and job.state == "running" and job.request == "pause":
            db.execute(f"UPDATE jobs SET request = NULL, updated_at = {_NOW_SQL} WHERE id = ?", [job_id])
        elif not (action == "pause" and job.state == "paused") and not (action == "cancel" and job.state == "cancelled"):
            raise UsageError(f"Job {job_id} is {job.state}; it cannot be {_PAST[action]} (see `queue list`).")
        return get_job(db, job_id)


_PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled", "retry": "retried"}


def move(db: sqlite_utils.Database, job_id: int, index: int) -> Job:
    """Put a waiting (queued or paused) job at place ``index`` (0 = next) among the waiting jobs; it takes the
    priority of the job it lands next to, so the order shown is the order they run."""
    with immediate(db):
        job = get_job(db, job_id)
        if job.state not in ("queued", "paused"):
            raise UsageError(f"Job {job_id} is {job.state}; only waiting jobs can be moved.")
        waiting = [int(r[0]) for r in db.execute(
            "SELECT id FROM jobs WHERE state IN ('queued', 'paused') AND id != ? "
            "ORDER BY priority DESC, position, id", [job_id]).fetchall()]
        index = max(0, min(index, len(waiting)))
        order = [*waiting[:index], job_id, *waiting[index:]]
        neighbour = order[index + 1] if index + 1 < len(order) else (order[index - 1] if index > 0 else job_id)
        prio = int(db.execute("SELECT priority FROM jobs WHERE id = ?", [neighbour]).fetchone()[0])
        db.execute("UPDATE jobs SET priority = ? WHERE id = ?", [prio, job_id])
        prios = dict(db.execute(f"SELECT id, priority FROM jobs WHERE id IN ({','.join('?' * len(order))})",
                                order).fetchall())
        # Keep the new order as the run order: priorities never rise along it, positions increase within one.
        for place, jid in enumerate(order):
            if place > 0 and prios[jid] > prios[order[place - 1]]:
                prios[jid] = prios[order[place - 1]]
            db.execute("UPDATE jobs SET position = ?, priority = ? WHERE id = ?", [float(place + 1), prios[jid], jid])
        _event(db, job_id, "moved", detail=str(index))
        return get_job(db, job_id)


def set_queue_paused(db: sqlite_utils.Database, paused: bool) -> None:
    """Pause the whole queue (workers finish what they run and claim nothing new) or let it run."""
    with immediate(db):
        db.execute("INSERT INTO queue_flags (name, value) VALUES ('paused', ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", ["1" if paused else "0"])


def queue_paused(db: sqlite_utils.Database) -> bool:
    row = db.execute("SELECT value FROM queue_flags WHERE name = 'paused'").fetchone()
    return bool(row and row[0] == "1")


# ---- reading --------------------------------------------------------------------------------------------------


def list_jobs(db: sqlite_utils.Database, *, states: Sequence[str] | None = None, video: str | None = None,
              limit: int | None = None) -> list[Job]:
    """Jobs in the order the queue shows them: running, then waiting in run order, paused, failed, cancelled,
    done."""
    where: list[str] = []
    params: list[Any] = []
    if states:
        bad = [s for s in states if s not in JOB_STATES]
        if bad:
            raise UsageError(f"Job state {bad[0]!r} is unknown; use one of {', '.join(JOB_STATES)}.")
        where.append(f"state IN ({','.join('?' * len(states))})")
        params.extend(states)
    if video is not None:
        where.append("video = ?")
        params.append(video)
    sql = "SELECT * FROM jobs" + (f" WHERE {' AND '.join(where)}" if where else "") + f" ORDER BY {_LIST_ORDER}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Job.from_row(r) for r in db.query(sql, params)]


def job_events(db: sqlite_utils.Database, job_id: int) -> list[JobEvent]:
    return [JobEvent(int(r["job_id"]), r["event"], r["worker"], r["detail"], r["at"])
            for r in db.query("SELECT * FROM job_events WHERE job_id = ? ORDER BY id", [job_id])]


def count_states(db: sqlite_utils.Database) -> dict[str, int]:
    """Jobs per state (every state present, 0 when none)."""
    counts = dict.fromkeys(JOB_STATES, 0)
    for state, n in db.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall():
        counts[str(state)] = int(n)
    return counts


def pending_work(db: sqlite_utils.Database) -> bool:
    """Whether any job is waiting to run or running."""
    return db.execute("SELECT 1 FROM jobs WHERE state IN ('queued', 'running') LIMIT 1").fetchone() is not None
