"""``longwatch-cli queue [list|add|pause|resume|cancel|retry|move|history|run]``: the library's job queue.

``add PATH...`` queues files or folders (``--kinds evidence,index,ads,summary``; the options of the evidence
pass and the video-LLM are the job's settings); ``pause`` / ``resume`` without an id hold or release the whole
queue; ``run`` is the local worker (``--until-empty`` to stop when nothing is left, else it waits for new jobs).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_index_options, add_model_options

if TYPE_CHECKING:
    from core.usecases import Job, JobUpdate


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("queue", parents=[common], help="the job queue: list, add, pause, resume, cancel, retry, run")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", parents=[common], help="jobs in run order")
    ls.add_argument("--state", action="append", default=None, help="only jobs in this state (repeatable)")
    ls.add_argument("--limit", type=int, default=None)
    ls.set_defaults(func=run_list)
    add = actions.add_parser("add", parents=[common], help="queue files or folders")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument("--kinds", default=None,
                     help="comma-separated: evidence, index, ads, summary (default: evidence,ads, and index "
                          "when a video-LLM is configured)")
    add.add_argument("--priority", type=int, default=0, help="higher runs first (default 0)")
    add.add_argument("--retry-failed", action="store_true", help="queue failed or cancelled jobs again")
    add_model_options(add)
    add_index_options(add)
    add_evidence_options(add, fps_flag="--evidence-fps")
    add.set_defaults(func=run_add)
    for name, text in (("pause", "hold jobs (no id: the whole queue)"), ("resume", "release held jobs (no id: the queue)"),
                       ("cancel", "drop jobs"), ("retry", "queue failed or cancelled jobs again")):
        a = actions.add_parser(name, parents=[common], help=text)
        a.add_argument("ids", nargs="*" if name in ("pause", "resume") else "+", type=int, metavar="ID")
        a.set_defaults(func=run_control, control=name)
    mv = actions.add_parser("move", parents=[common], help="put a waiting job at a place in the queue")
    mv.add_argument("id", type=int, metavar="ID")
    mv.add_argument("index", type=int, metavar="PLACE", help="0 = runs next")
    mv.set_defaults(func=run_move)
    hist = actions.add_parser("history", parents=[common], help="what happened to a job")
    hist.add_argument("id", type=int, metavar="ID")
    hist.set_defaults(func=run_history)
    rn = actions.add_parser("run", parents=[common], help="run the queue (the local worker)")
    rn.add_argument("--concurrency", type=int, default=None, help="jobs at once (default: the setting, 1)")
    rn.add_argument("--threads", type=int, default=None, help="CPU threads per job (default: cores / concurrency)")
    rn.add_argument("--until-empty", action="store_true", help="stop when no job is left")
    rn.set_defaults(func=run_worker)


def job_line(job: Job) -> str:
    frac = job.fraction
    progress = f"{frac:4.0%}" if frac is not None else "   -"
    tail = f"  {job.error}" if job.error and job.state in ("failed", "queued") else ""
    asked = f" ({job.request} asked)" if job.request else ""
    return f"{job.id:>5}  {job.state:<9}{asked} {job.kind:<8} {progress}  {job.name}{tail}"


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service()
    jobs = service.jobs(states=args.state, limit=args.limit)
    counts = service.queue_counts()
    head = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "empty"
    paused = " (the queue is paused)" if service.queue_paused() else ""
    lines = [f"queue: {head}{paused}", *(job_line(j) for j in jobs)]
    ctx.emit({"paused": service.queue_paused(), "counts": counts, "jobs": [j.to_json() for j in jobs]},
             "\n".join(lines))
    return 0


def run_add(args: argparse.Namespace, ctx: CliContext) -> int:
    results = ctx.service().enqueue(args.paths, args.kinds, priority=args.priority, source="cli",
                                    requeue=args.retry_failed)
    if not results:
        ctx.log("No video file found in what was given.")
        return 1
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.path}: {r.error}")
        else:
            new = [j for j in r.jobs if j.id in r.queued]
            kept = [f"{j.kind} {j.state}" for j in r.jobs if j.id not in r.queued]
            what = ", ".join(f"{j.kind} #{j.id}" for j in new) or "nothing new"
            lines.append(f"{r.path}: queued {what}" + (f" (already: {', '.join(kept)})" if kept else ""))
    ctx.emit([r.to_json() for r in results], "\n".join(lines))
    return 1 if all(r.error for r in results) else 0


def run_control(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service()
    if not args.ids:
        (service.pause_queue if args.control == "pause" else service.resume_queue)()
        state = "paused" if service.queue_paused() else "running"
        ctx.emit({"paused": service.queue_paused()}, f"The queue is {state}.")
        return 0
    do = {"pause": service.pause_job, "resume": service.resume_job, "cancel": service.cancel_job,
          "retry": service.retry_job}[args.control]
    jobs = [do(i) for i in args.ids]
    ctx.emit([j.to_json() for j in jobs], "\n".join(job_line(j) for j in jobs))
    return 0


def run_move(args: argparse.Namespace, ctx: CliContext) -> int:
    job = ctx.service().move_job(args.id, args.index)
    ctx.emit(job.to_json(), job_line(job))
    return 0


def run_history(args: argparse.Namespace, ctx: CliContext) -> int:
    events = ctx.service().job_history(args.id)
    lines = [f"{e.at}  {e.event:<12} {e.detail or ''}  {e.worker or ''}".rstrip() for e in events]
    ctx.emit([e.__dict__ for e in events], "\n".join(lines))
    return 0


def run_worker(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.usecases import Worker

    service = ctx.service()
    changes = {k: v for k, v in (("queue_concurrency", args.concurrency), ("job_threads", args.threads))
               if v is not None}
    if changes:
        service.configure(service.settings.replace(**changes))
    worker = Worker(service, on_update=lambda u: print_update(ctx, u))
    stats = worker.run(until_empty=args.until_empty)
    ctx.emit({"done": stats.done, "failed": stats.failed, "retried": stats.retried, "stopped": stats.stopped},
             f"worker: {stats.done} done, {stats.failed} failed, {stats.retried} to retry, {stats.stopped} stopped")
    return 0


def print_update(ctx: CliContext, update: JobUpdate) -> None:
    """One stderr line per job event (progress is shown by `queue list`)."""
    job = update.job
    if update.event == "progress":
        return
    why = f": {update.error}" if update.error else ""
    ctx.log(f"[{job.id}] {job.name} {job.kind} {update.event}{why}")
