"""Where a checkpoint's files are: the model folder (local or downloaded from the hub) and the CLIP tower folder.

Resolution order for the CLIP vision tower (config.json's ``mm_vision_tower`` is usually a path on the authors'
machine, e.g. ``/share/.../clip-vit-large-patch14-336``):

1. the ``vision_tower`` option, when given (it must exist);
2. the path in config.json, absolute or relative to the model folder, when it exists here;
3. a folder named like that path's last part, or ``vision_tower``, or ``clip-vit-large-patch14-336``, inside the
   model folder or next to it;
4. otherwise a ModelNotFound naming the folder to provide.
"""

from __future__ import annotations

from pathlib import Path

from core.model.download import OFFICIAL_SUBFOLDER, config_folder, hub_snapshot, looks_like_hub_id
from core.model.errors import ModelNotFound, UnsafeWeights
from core.progress import ProgressCallback

CLIP_NAME = "clip-vit-large-patch14-336"
PICKLED = ("*.bin", "*.pt", "*.pth", "*.ckpt")


def resolve_model_folder(model: str, report: ProgressCallback | None = None) -> Path:
    """A local folder with config.json and safetensors shards (downloading a hub id when needed)."""
    path = Path(model).expanduser()
    if path.is_dir():
        folder = config_folder(path)
    elif looks_like_hub_id(model):
        folder = config_folder(hub_snapshot(model, report or (lambda _p: None)))
    else:
        raise ModelNotFound(f"model folder {model} does not exist; pass a Video-XL folder ({OFFICIAL_SUBFOLDER}) "
                            "or a hub id such as sy1998/Video_XL.")
    checkpoint_shards(folder)
    return folder


def checkpoint_shards(folder: Path) -> list[Path]:
    """The safetensors files of the checkpoint; refuses a pickled-only checkpoint (never unpickled)."""
    shards = sorted(folder.glob("*.safetensors"))
    if shards:
        return shards
    pickled = sorted(p.name for pattern in PICKLED for p in folder.glob(pattern))
    if pickled:
        raise UnsafeWeights(f"{folder} has only pickled weights ({', '.join(pickled[:3])}); Longwatch never unpickles "
                            "checkpoints: convert them to safetensors or download the safetensors release.")
    raise ModelNotFound(f"{folder} has no *.safetensors weights; pass the Video-XL checkpoint folder.")


def _is_clip_folder(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file()


def resolve_vision_tower(folder: Path, configured: str, option: str | None) -> Path:
    """The local CLIP vision tower folder (see the module docstring for the order)."""
    if option is not None:
        path = Path(option).expanduser()
        if not _is_clip_folder(path):
            raise ModelNotFound(f"vision tower folder {path} does not exist or has no config.json; pass the "
                                f"{CLIP_NAME} folder (openai/{CLIP_NAME}).")
        return path
    candidates: list[Path] = []
    if configured:
        given = Path(configured).expanduser()
        candidates.append(given if given.is_absolute() else folder / given)
    names = [Path(configured).name] if configured else []
    names += ["vision_tower", CLIP_NAME]
    for base in (folder, folder.parent):
        candidates += [base / n for n in names if n]
    for path in candidates:
        if _is_clip_folder(path):
            return path
    raise ModelNotFound(f"the CLIP vision tower {configured or CLIP_NAME!r} named in config.json is not on this "
                        f"machine: put openai/{CLIP_NAME} in {folder.parent / CLIP_NAME} or pass --vision-tower DIR.")
