"""``longwatch-cli index-library [PATH...] [--ray ADDRESS]``: queue the given files or folders (if any), then run
every queued job: on a Ray cluster with ``--ray`` (``local`` starts a private local instance; extra ``ray``),
else with the local worker. Returns when the queue is empty."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_index_options, add_model_options

if TYPE_CHECKING:
    from core.usecases import JobUpdate


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("index-library", parents=[common], help="run the whole queue, locally or on Ray")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to queue first")
    p.add_argument("--kinds", default=None, help="jobs per new file (default evidence,ads, and index with a model)")
    p.add_argument("--ray", metavar="ADDRESS", default=None,
                   help="run on Ray: 'local', 'auto' or a cluster address such as ray://head:10001")
    p.add_argument("--ray-cpus", type=int, default=None, help="with --ray local: CPUs of the local instance")
    p.add_argument("--threads", type=int, default=None, help="CPU threads per job (equal everywhere -> identical)")
    p.add_argument("--concurrency", type=int, default=None, help="local worker: jobs at once")
    add_model_options(p)
    add_index_options(p)
    add_evidence_options(p, fps_flag="--evidence-fps")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.commands.queue import print_update
    from core.usecases import RayDriver, Worker

    service = ctx.service()
    changes = {k: v for k, v in (("job_threads", args.threads), ("queue_concurrency", args.concurrency))
               if v is not None}
    if changes:
        service.configure(service.settings.replace(**changes))
    if args.paths:
        for r in service.enqueue(args.paths, args.kinds, source="cli"):
            if r.error:
                ctx.log(f"{r.path}: {r.error}")

    def update(u: JobUpdate) -> None:
        print_update(ctx, u)

    if args.ray:
        stats = RayDriver(service, args.ray, num_cpus=args.ray_cpus, on_update=update).run(until_empty=True)
    else:
        stats = Worker(service, on_update=update).run(until_empty=True)
    counts = service.queue_counts()
    ctx.emit({"done": stats.done, "failed": stats.failed, "retried": stats.retried, "queue": counts},
             f"{stats.done} job(s) done, {stats.failed} failed; queue: "
             + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return 1 if stats.failed else 0
