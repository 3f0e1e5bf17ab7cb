"""Downloads from the Hugging Face hub with byte progress, cancellation and one-line errors, for every model
Longwatch fetches (the video-LLM in ``core.model.download``, image-text models in ``core.vision.download``).

Progress comes from ``snapshot_download``'s ``tqdm_class``: every byte bar it opens (huggingface_hub 1.x opens a
transfer and a reconstruction bar per snapshot, fed by all file downloads) is summed into
``Progress(stage="download", unit="bytes")``. Cancelling raises ``Cancelled`` from the next bar update, which
stops every download thread. Written here because huggingface_hub reports progress only through tqdm.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.errors import Cancelled, LongwatchError
from core.progress import CancelToken, Progress, ProgressCallback, RateMeter


def offline() -> bool:
    """``HF_HUB_OFFLINE`` is set: nothing may be downloaded."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def download_command(repo_id: str, patterns: list[str]) -> str:
    """The shell command that downloads the same files on another machine."""
    return f"hf download {repo_id} " + " ".join(f"--include '{p}'" for p in patterns)


class _NullFile:
    """Where the bars draw: nowhere (progress leaves as Progress events only)."""

    def write(self, _s: str) -> None:
        pass

    def flush(self) -> None:
        pass


class _Bytes:
    """The byte bars of one download, summed; thread-safe (files download on several threads)."""

    def __init__(self, report: ProgressCallback, cancel: CancelToken | None) -> None:
        self.report, self.cancel = report, cancel
        self.bars: dict[int, tuple[float, float]] = {}
        self.meter = RateMeter("download", None, "bytes")
        self.lock = threading.Lock()

    def update(self, bar: Any) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        if bar.unit != "B":  # the "Fetching n files" bar
            return
        with self.lock:
            self.bars[id(bar)] = (float(bar.n), float(bar.total or 0))
            # a transfer and a reconstruction bar share a total; the larger counts
            done = max(n for n, _ in self.bars.values())
            self.meter.total = max(t for _, t in self.bars.values()) or None
            event = self.meter.update(done)
        self.report(event)


def _tqdm_class(counter: _Bytes) -> type[tqdm]:
    class Bar(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)  # huggingface_hub's own tqdm takes a name; plain tqdm refuses it
            kwargs["file"] = _NullFile()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            shown: bool | None = super().update(n)
            counter.update(self)
            return shown

    return Bar


def snapshot(repo_id: str, patterns: list[str], *, error: type[LongwatchError], where: str,
             dest: Path | None = None, progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> Path:
    """Download ``patterns`` of hub repository ``repo_id`` (into the hub cache, or ``dest``); returns the folder.

    ``where`` ends the offline message ("copy its ... folder here, or choose a local folder"). Raises
    ``Cancelled`` when ``cancel`` is set, and a one-line ``error`` when the hub cannot be reached, needs a login,
    the repository does not exist, or the disk is full.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    report = progress or (lambda _p: None)
    report(Progress("download", 0, None, "bytes", message=f"Downloading {repo_id}"))
    unreachable = (f"Cannot reach the Hugging Face hub to download {repo_id}; on a connected machine run "
                   f"{download_command(repo_id, patterns)} and {where}.")
    if offline():
        raise error(f"HF_HUB_OFFLINE is set. {unreachable}")
    try:
        root = snapshot_download(repo_id, local_dir=str(dest) if dest is not None else None,
                                 allow_patterns=patterns, tqdm_class=_tqdm_class(_Bytes(report, cancel)))
    except Cancelled:
        raise
    except GatedRepoError as err:
        raise error(f"{repo_id} needs a Hugging Face login with access granted (hf auth login); "
                    "or choose a local folder.") from err
    except (RepositoryNotFoundError, RevisionNotFoundError) as err:
        raise error(f"{repo_id} was not found on the Hugging Face hub; check the id (owner/name) or choose a "
                    "local folder.") from err
    except OSError as err:
        if err.errno == errno.ENOSPC:
            into = dest if dest is not None else "the Hugging Face cache (HF_HOME)"
            raise error(f"The disk is full while downloading {repo_id} into {into}; free space or download "
                        "into another folder.") from err
        raise error(unreachable) from err  # LocalEntryNotFoundError, ConnectionError and HTTP errors are OSErrors
    except Exception as err:  # httpx transport errors and the like: the hub was not reached
        raise error(unreachable) from err
    if not isinstance(root, str):  # dry runs only
        raise error(f"the hub returned no folder for {repo_id}; download it with "
                    f"{download_command(repo_id, patterns)}.")
    return Path(root)


def report_done(report: ProgressCallback | None, repo_id: str, folder: Path) -> None:
    """The final progress event: the bytes now in ``folder``."""
    done = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    (report or (lambda _p: None))(Progress("download", done, done, "bytes", message=f"{repo_id} is in {folder}"))
