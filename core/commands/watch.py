"""``longwatch-cli watch DIR...``: watch folders; every new or changed recording is queued once it has stopped
growing (a long-running command; Ctrl-C stops it). ``--work`` also runs the queue in the same process, and
``--edl`` then writes each recording's ``NAME.edl`` (and ``--chapters``) as its ads job finishes, which is the
post-processing set-up for a DVR that cannot call a script (e.g. Channels DVR)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options

if TYPE_CHECKING:
    from core.usecases import JobUpdate


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("watch", parents=[common], help="queue new recordings from folders (runs until stopped)")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to watch (default: the settings' folders)")
    p.add_argument("--kinds", default=None, help="jobs per file (default evidence,ads)")
    p.add_argument("--settle", type=float, default=None, metavar="S",
                   help="seconds a file must stay unchanged before it is queued (default 60)")
    p.add_argument("--interval", type=float, default=None, metavar="S", help="seconds between scans (default 10)")
    p.add_argument("--work", action="store_true", help="also run the queue here")
    p.add_argument("--concurrency", type=int, default=None, help="with --work: jobs at once")
    p.add_argument("--edl", action="store_true", help="with --work: write NAME.edl beside each recording")
    p.add_argument("--chapters", choices=("none", "ffmetadata", "mkv"), default="none",
                   help="with --edl: also write chapters (NAME.ffmetadata, or a NAME.chapters.mkv copy)")
    p.add_argument("--once", action="store_true", help="scan once and exit (for cron)")
    add_model_options(p)
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.errors import UsageError
    from core.usecases import PostprocessOptions, WatchService, Worker
    from core.usecases.postprocess import write_marks

    if (args.edl or args.concurrency) and not args.work:
        raise UsageError("--edl and --concurrency need --work (the queue running in this process).")
    service = ctx.service()
    if args.concurrency:
        service.configure(service.settings.replace(queue_concurrency=args.concurrency))
    watcher = WatchService.from_settings(service, args.folders or None, args.kinds, settle_s=args.settle,
                                         interval_s=args.interval,
                                         on_event=lambda e: ctx.log(f"watch: {e.path}: {e.what} {e.detail}".rstrip()))
    if args.once:
        events = watcher.scan_once()
        ctx.emit([e.__dict__ for e in events], f"{len(events)} file(s) acted on")
        return 0
    marks = PostprocessOptions(chapters=args.chapters)

    def on_update(u: JobUpdate) -> None:
        if u.event == "progress":
            return
        ctx.log(f"[{u.job.id}] {u.job.name} {u.job.kind} {u.event}" + (f": {u.error}" if u.error else ""))
        if args.edl and u.event == "done" and u.job.kind == "ads":
            try:
                ctx.log(write_marks(service, u.job.path, u.job.video, marks).line())
            except Exception as e:  # one recording's marks must not stop the watcher
                ctx.log(f"{u.job.name}: cannot write its marks: {e}")

    worker = Worker(service, on_update=on_update) if args.work else None
    folders = ", ".join(str(f) for f in watcher.folders)
    ctx.log(f"Watching {folders} (settle {watcher.settle_s:g} s); Ctrl-C stops.")
    if worker is not None:
        worker.start()
    try:
        watcher.run()
    finally:
        watcher.stop(wait=False)
        if worker is not None:
            worker.stop()
    return 0
