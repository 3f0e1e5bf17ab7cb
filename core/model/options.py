"""What the caller chooses when loading the video model, and what loading it will cost."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UsageError

# The one definition of the choices, for the CLI, the app's settings and the loader.
QUANT_MODES = ("4bit", "8bit", "none")
DEFAULT_QUANT = "4bit"  # what Settings (app and CLI) use: a 7B model in 4-bit NF4 needs ~5 GB
DTYPES = ("auto", "fp32", "fp16", "bf16")
DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class ModelOptions:
    """How to load the video model.

    ``model``: a local folder in the official Video-XL layout (sharded safetensors + index, config.json) or a
    Hugging Face hub id such as ``sy1998/Video_XL`` (downloaded when online). ``vision_tower``: a local CLIP
    ViT-L/14-336 folder; by default the one named in config.json if it exists, else a ``vision_tower`` /
    ``clip-vit-large-patch14-336`` folder next to the model. ``vision_batch``: frames per vision micro-batch
    (default: sized to the device, always a divisor of the 10-frame window).
    """

    model: str
    vision_tower: str | None = None
    quant: str = "none"  # the checkpoint's precision; the app's and CLI's default is Settings.quant (4bit)
    dtype: str = "auto"
    device: str = "auto"
    vision_batch: int | None = None

    def __post_init__(self) -> None:
        if not str(self.model).strip():
            raise UsageError("The model is empty: give a Video-XL folder or a hub id such as sy1998/Video_XL.")
        if self.quant not in QUANT_MODES:
            raise UsageError(f"Quantization {self.quant!r} is unknown; choose one of {', '.join(QUANT_MODES)}.")
        if self.dtype not in DTYPES:
            raise UsageError(f"Precision {self.dtype!r} is unknown; choose one of {', '.join(DTYPES)}.")
        if self.device not in DEVICES:
            raise UsageError(f"Device {self.device!r} is unknown; choose one of {', '.join(DEVICES)}.")
        if self.vision_batch is not None and not 1 <= self.vision_batch <= 10:
            raise UsageError(f"Vision batch {self.vision_batch} must be 1..10 frames (a window has 10).")


@dataclass(frozen=True)
class MemoryEstimate:
    """Memory the model will need on ``device`` before anything is loaded.

    ``bytes_needed`` counts the weights at the chosen precision plus a working margin for activations;
    ``bytes_available`` is free memory on the device (None when unknown, then ``fits`` is True).
    """

    bytes_needed: int
    bytes_available: int | None
    device: str
    dtype: str
    quant: str
    fits: bool
    message: str
