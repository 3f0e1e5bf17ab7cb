"""Downloading an image-text model from the Hugging Face hub, with byte progress and cancellation.

Only what ``core.vision.load_model`` reads is fetched: safetensors weights, the JSON configs and the tokenizer
files (never pickled ``.bin``). The files land in the hub cache (or ``dest``), where ``locate_model(repo_id)``
finds them offline afterwards. Progress comes from ``snapshot_download``'s ``tqdm_class``: each byte bar it
opens is summed into ``Progress(stage="download", unit="bytes")``; cancelling raises ``Cancelled`` from the next
bar update. (core.model.download does the same for the video-LLM; core.vision may not import core.model.)
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.errors import Cancelled
from core.progress import CancelToken, Progress, ProgressCallback, RateMeter
from core.vision.model import VisionModelMissing, model_kind

PATTERNS = ["*.safetensors", "*.json", "*.txt", "*.model"]  # weights, configs, tokenizer (merges, spm)


def download_command(repo_id: str) -> str:
    return f"hf download {repo_id} " + " ".join(f"--include '{p}'" for p in PATTERNS)


class _Null:
    def write(self, _s: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _bar_class(report: ProgressCallback, cancel: CancelToken | None) -> type[tqdm]:
    bars: dict[int, tuple[float, float]] = {}
    meter = RateMeter("download", None, "bytes")
    lock = threading.Lock()

    class Bar(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)  # huggingface_hub's own tqdm takes a name; plain tqdm refuses it
            kwargs["file"] = _Null()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            shown: bool | None = super().update(n)
            if cancel is not None:
                cancel.raise_if_cancelled()
            if self.unit == "B":
                with lock:
                    bars[id(self)] = (float(self.n), float(self.total or 0))
                    meter.total = max(t for _, t in bars.values()) or None
                    event = meter.update(max(d for d, _ in bars.values()))
                report(event)
            return shown

    return Bar


def download_vision_model(repo_id: str, dest: Path | None = None, *, progress: ProgressCallback | None = None,
                          cancel: CancelToken | None = None) -> Path:
    """Downloads CLIP/SigLIP checkpoint ``repo_id``; returns its folder. One-line ``VisionModelMissing`` when the
    hub cannot be reached, the repository does not exist, holds no safetensors, or the disk is full."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    report = progress or (lambda _p: None)
    report(Progress("download", 0, None, "bytes", message=f"Downloading {repo_id}"))
    offline = (f"Cannot reach the Hugging Face hub to download {repo_id}; on a connected machine run "
               f"{download_command(repo_id)} and copy the folder here, then choose it as the vision model.")
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise VisionModelMissing(f"HF_HUB_OFFLINE is set. {offline}")
    try:
        root = snapshot_download(repo_id, local_dir=str(dest) if dest is not None else None,
                                 allow_patterns=PATTERNS, tqdm_class=_bar_class(report, cancel))
    except Cancelled:
        raise
    except GatedRepoError as err:
        raise VisionModelMissing(f"{repo_id} needs a Hugging Face login (hf auth login); or choose a local folder.") from err
    except (RepositoryNotFoundError, RevisionNotFoundError) as err:
        raise VisionModelMissing(f"{repo_id} was not found on the Hugging Face hub; check the id (owner/name, "
                                 "e.g. openai/clip-vit-base-patch32) or choose a local folder.") from err
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise VisionModelMissing(f"The disk is full while downloading {repo_id}; free space or download "
                                     "into another folder.") from err
        raise VisionModelMissing(offline) from err
    except Exception as err:  # httpx transport errors and the like: the hub was not reached
        raise VisionModelMissing(offline) from err
    folder = Path(str(root))
    if not any(folder.glob("*.safetensors")):
        raise VisionModelMissing(f"{repo_id} has no safetensors weights (only pickled ones, which Longwatch never "
                                 "loads); choose another model.")
    model_kind(folder)  # a one-line error unless it is a CLIP or SigLIP checkpoint
    done = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    report(Progress("download", done, done, "bytes", message=f"{repo_id} is in {folder}"))
    return folder
