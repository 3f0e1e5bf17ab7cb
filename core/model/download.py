"""Downloading a Video-XL checkpoint from the Hugging Face hub, with byte progress and cancellation.

Only what the loader reads is fetched (``allow_patterns``): safetensors shards and their index, config.json,
generation_config.json and the tokenizer files; pickled ``.bin``/``.pt`` weights never are. The official repository
(sy1998/Video_XL) keeps its checkpoint in ``VideoXL_weight_8``, so only that folder is fetched from it.

Progress comes from ``snapshot_download``'s ``tqdm_class``: every byte bar it opens (one per snapshot in
huggingface_hub 1.x, fed by all file downloads) is summed into ``Progress(stage="download", unit="bytes")``.
Cancelling raises ``Cancelled`` from the next bar update, which stops every download thread.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from core import hub
from core.model.errors import ModelError, ModelNotFound
from core.progress import CancelToken, ProgressCallback

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")  # owner/name
OFFICIAL_REPO = "sy1998/Video_XL"
OFFICIAL_SUBFOLDER = "VideoXL_weight_8"
MODEL_FILES = ("*.safetensors", "*.json", "*.txt", "*.model", "*.jinja")  # weights, configs, tokenizer


def looks_like_hub_id(model: str) -> bool:
    """'owner/name' that is not an existing local path."""
    return bool(HUB_ID.match(model)) and not Path(model).expanduser().exists()


def config_folder(root: Path) -> Path:
    """The folder holding config.json: root, root/VideoXL_weight_8, or the only such subfolder."""
    if (root / "config.json").is_file():
        return root
    if (root / OFFICIAL_SUBFOLDER / "config.json").is_file():
        return root / OFFICIAL_SUBFOLDER
    found = sorted(p.parent for p in root.glob("*/config.json") if any(p.parent.glob("*.safetensors")))
    if len(found) == 1:
        return found[0]
    raise ModelNotFound(f"{root} holds no config.json (nor a {OFFICIAL_SUBFOLDER} folder with one); pass the "
                        "Video-XL checkpoint folder.")


def hub_snapshot(repo_id: str, report: ProgressCallback) -> Path:
    """The cached snapshot of ``repo_id``, else ``download_model`` (byte progress); offline: one line saying
    how to bring the folder here."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, allow_patterns=allow_patterns(repo_id), local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        pass
    if hub.offline():
        raise ModelNotFound(f"{repo_id} is not on this machine and HF_HUB_OFFLINE is set: download {repo_id} on a "
                            f"machine with internet (hf download {repo_id}) and pass its {OFFICIAL_SUBFOLDER} "
                            "folder with --model DIR.")
    try:
        return download_model(repo_id, progress=report)
    except ModelError as err:
        raise ModelNotFound(str(err)) from err


def allow_patterns(repo_id: str) -> list[str]:
    """The files of ``repo_id`` the loader needs (the official repo: its ``VideoXL_weight_8`` folder only)."""
    prefix = f"{OFFICIAL_SUBFOLDER}/" if repo_id == OFFICIAL_REPO else ""
    return [prefix + p for p in MODEL_FILES]


def download_command(repo_id: str) -> str:
    """The shell command that downloads the same files on another machine."""
    return hub.download_command(repo_id, allow_patterns(repo_id))


@dataclass(frozen=True)
class DownloadPlan:
    """What ``download_model`` would fetch of a hub repository: how many files and bytes, and where they go."""

    repo_id: str
    files: int
    size_bytes: int
    cached_bytes: int  # already in the Hugging Face cache (a resumed download fetches only the rest)
    cache_dir: str


def download_plan(repo_id: str) -> DownloadPlan:
    """Ask the hub for the sizes of the files ``download_model(repo_id)`` fetches (nothing is downloaded);
    a one-line ``ModelError`` when the hub cannot be reached or the repository does not exist."""
    from huggingface_hub import HfApi, constants, try_to_load_from_cache
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
    from huggingface_hub.utils import filter_repo_objects

    if hub.offline():
        raise ModelError(f"HF_HUB_OFFLINE is set: {repo_id} cannot be looked up; on a connected machine run "
                         f"{download_command(repo_id)}, or choose a local folder.")
    try:
        info = HfApi().model_info(repo_id, files_metadata=True)
    except GatedRepoError as err:
        raise ModelError(f"{repo_id} needs a Hugging Face login with access granted (hf auth login); "
                         "or choose a local folder.") from err
    except RepositoryNotFoundError as err:
        raise ModelError(f"{repo_id} was not found on the Hugging Face hub; check the id (owner/name, e.g. "
                         f"{OFFICIAL_REPO}) or choose a local folder.") from err
    except Exception as err:  # connection and HTTP errors: the hub was not reached
        raise ModelError(f"Cannot reach the Hugging Face hub to look up {repo_id}; on a connected machine run "
                         f"{download_command(repo_id)} and copy its folder here, or choose a local folder.") from err
    siblings = {s.rfilename: s for s in info.siblings or []}
    wanted = list(filter_repo_objects(list(siblings), allow_patterns=allow_patterns(repo_id)))
    size = sum(int(siblings[n].size or 0) for n in wanted)
    cached = 0
    for name in wanted:
        hit = try_to_load_from_cache(repo_id, name)
        if isinstance(hit, str) and os.path.isfile(hit):
            cached += os.path.getsize(hit)
    return DownloadPlan(repo_id, len(wanted), size, min(cached, size), str(constants.HF_HUB_CACHE))


def download_model(repo_id: str, dest: Path | None = None, *, progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> Path:
    """Downloads what the loader needs of hub repository ``repo_id``; returns the folder holding its config.json.

    ``dest``: a folder to download into (default: the Hugging Face cache, where a later download resumes).
    Raises ``Cancelled`` when ``cancel`` is set, and a one-line ``ModelError`` when the hub cannot be reached,
    the repository does not exist, or the disk is full (``core.hub``).
    """
    root = hub.snapshot(repo_id, allow_patterns(repo_id), error=ModelError, dest=dest, progress=progress,
                        cancel=cancel, where=f"copy its {OFFICIAL_SUBFOLDER} folder here, or choose a local folder")
    folder = config_folder(root)
    hub.report_done(progress, repo_id, folder)
    return folder
