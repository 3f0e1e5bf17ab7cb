"""How much memory a checkpoint will take once loaded, from the safetensors headers only.

weights: every tensor at the load dtype, except the decoder's 2-D Linear weights under quantization (NF4 about
0.52 byte per weight, int8 about 1 byte). working: one 1440-token window through the decoder (activations of
T = 1800 rows) plus one vision micro-batch of CLIP hidden states, plus 10% of the weights for allocator slack.
Example, 7B layout in NF4 on CUDA bf16: ~6.5 B decoder weights at 0.52 B + 1.6 B others at 2 B ~ 6.6 GB.
Kept VSTs grow with the video and are not counted here (2048 frames at ratio 4: 28 layers x 2 x 4 heads x 128 x
73 728 VSTs x 2 B ~ 4.2 GB).
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors import safe_open

from core.model.config import VideoXLSpec
from core.model.options import MemoryEstimate
from core.model.paths import checkpoint_shards
from core.model.quant import quantized_bytes_per_param

GB = 1024**3


def _numel(shape: list[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _is_quantizable(name: str, shape: list[int]) -> bool:
    return name.startswith("model.layers.") and name.endswith("proj.weight") and len(shape) == 2


def weight_bytes(folder: Path, dtype: torch.dtype, quant: str) -> int:
    per = torch.finfo(dtype).bits // 8
    total = 0.0
    for shard in checkpoint_shards(folder):
        with safe_open(str(shard), framework="pt") as f:
            for name in f.keys():  # noqa: SIM118 - safe_open is not iterable
                shape = list(f.get_slice(name).get_shape())
                n = _numel(shape)
                if quant != "none" and _is_quantizable(name, shape):
                    total += n * quantized_bytes_per_param(quant)
                else:
                    total += n * per
    return int(total)


def working_bytes(spec: VideoXLSpec, dtype: torch.dtype, vision_width: int = 1024) -> int:
    per = torch.finfo(dtype).bits // 8
    rows = 1800  # 1440 raw + up to 360 VSTs at ratio 4
    decoder = rows * (6 * spec.hidden_size + 3 * spec.intermediate_size) * per
    vision = 10 * 577 * vision_width * 26 * per
    return decoder + vision


def available_bytes(device: torch.device) -> int | None:
    """Free memory on the device now (CUDA: free GPU memory; CPU/MPS: MemAvailable), None when unknown."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device.index or 0)[0])
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def estimate(folder: Path, spec: VideoXLSpec, device: torch.device, dtype: torch.dtype, quant: str) -> MemoryEstimate:
    weights = weight_bytes(folder, dtype, quant)
    needed = int(weights * 1.1) + working_bytes(spec, dtype, spec.mm_hidden_size)
    free = available_bytes(device)
    fits = free is None or needed <= free
    dname = str(dtype).removeprefix("torch.")
    if fits:
        msg = f"needs about {needed / GB:.2f} GB on {device} ({quant}, {dname})"
        msg += f"; {free / GB:.1f} GB free" if free is not None else ""
    else:
        assert free is not None
        msg = (f"the model will not fit: it needs about {needed / GB:.1f} GB on {device} ({quant}, {dname}) but "
               f"only {free / GB:.1f} GB is free; try --quant 4bit, another device, or close other programs.")
    return MemoryEstimate(needed, free, str(device), dname, quant, fits, msg)
