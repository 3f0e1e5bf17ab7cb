"""Downloading an image-text model from the Hugging Face hub, with byte progress and cancellation.

Only what ``core.vision.load_model`` reads is fetched: safetensors weights, the JSON configs and the tokenizer
files (never pickled ``.bin``). The files land in the hub cache (or ``dest``), where ``locate_model(repo_id)``
finds them offline afterwards. Progress comes from ``snapshot_download``'s ``tqdm_class``: each byte bar it
opens is summed into ``Progress(stage="download", unit="bytes")``; cancelling raises ``Cancelled`` from the next
bar update (``core.hub``, shared with the video-LLM's download).
"""

from __future__ import annotations

from pathlib import Path

from core import hub
from core.progress import CancelToken, ProgressCallback
from core.vision.model import VisionModelMissing, model_kind

PATTERNS = ["*.safetensors", "*.json", "*.txt", "*.model"]  # weights, configs, tokenizer (merges, spm)


def download_command(repo_id: str) -> str:
    return hub.download_command(repo_id, PATTERNS)


def download_vision_model(repo_id: str, dest: Path | None = None, *, progress: ProgressCallback | None = None,
                          cancel: CancelToken | None = None) -> Path:
    """Downloads CLIP/SigLIP checkpoint ``repo_id``; returns its folder. One-line ``VisionModelMissing`` when the
    hub cannot be reached, the repository does not exist, holds no safetensors, or the disk is full."""
    root = hub.snapshot(repo_id, PATTERNS, error=VisionModelMissing, dest=dest, progress=progress, cancel=cancel,
                        where="copy the folder here, then choose it as the vision model")
    folder = root
    if not any(folder.glob("*.safetensors")):
        raise VisionModelMissing(f"{repo_id} has no safetensors weights (only pickled ones, which Longwatch never "
                                 "loads); choose another model.")
    model_kind(folder)  # a one-line error unless it is a CLIP or SigLIP checkpoint
    hub.report_done(progress, repo_id, folder)
    return folder
