"""Frames -> visual tokens: CLIP preprocessing, the vision tower in micro-batches, projector, 2x2 pooling.

Per frame: (H, W, 3) uint8 -> CLIP pixels (3, 336, 336) -> tower ``hidden_states[-2]`` without CLS (576, 1024)
-> projector (576, hidden) -> 2x2 average pool over the 24x24 patch grid -> (144, hidden), row-major 12x12.

Preprocessing is written here with pillow + numpy because transformers' CLIP image processors either need
torchvision (never installed, see PLATFORM.md) or are slower per frame; it follows CLIPImageProcessor exactly:
bicubic resize of the shortest side to 336 (long side ``int(336 * long / short)``), centre crop 336x336 (offset
``(size - 336) // 2``), ``x * float32(1/255)``, then ``(x - mean) / std``. A frame already 336x336 is only
normalised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from core.model.config import PATCH_GRID, POOLED_GRID
from core.model.decoder import VideoXLNetwork

CLIP_SIZE = 336
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def clip_pixels(image: np.ndarray) -> np.ndarray:
    """One RGB frame (H, W, 3) uint8 -> normalised CLIP input (3, 336, 336) float32.

    >>> clip_pixels(np.zeros((180, 320, 3), np.uint8)).shape  # resized to 336x597, columns 130:466 kept
    (3, 336, 336)
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"a frame must be (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}.")
    h, w = image.shape[:2]
    if (h, w) != (CLIP_SIZE, CLIP_SIZE):
        short, long = min(h, w), max(h, w)
        new_long = int(CLIP_SIZE * long / short)
        new_w, new_h = (CLIP_SIZE, new_long) if w <= h else (new_long, CLIP_SIZE)
        resized = np.asarray(Image.fromarray(image).resize((new_w, new_h), Image.Resampling.BICUBIC))
        top, left = (new_h - CLIP_SIZE) // 2, (new_w - CLIP_SIZE) // 2
        image = resized[top : top + CLIP_SIZE, left : left + CLIP_SIZE]
    x = image.astype(np.float32) * np.float32(1 / 255)
    x = (x - CLIP_MEAN) / CLIP_STD
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def pool_2x2(features: torch.Tensor) -> torch.Tensor:
    """(n, 576, D) patch features -> (n, 144, D): 2x2 average over the 24x24 grid, row-major 12x12 order."""
    n, _, d = features.shape
    grid = features.view(n, PATCH_GRID, PATCH_GRID, d).permute(0, 3, 1, 2)  # (n, D, 24, 24)
    pooled = torch.nn.functional.avg_pool2d(grid, 2)  # (n, D, 12, 12)
    return pooled.permute(0, 2, 3, 1).reshape(n, POOLED_GRID * POOLED_GRID, d)


class VisionEncoder:
    """Runs tower + projector + pool on frames, ``batch`` frames at a time (never more)."""

    def __init__(self, network: VideoXLNetwork, select_layer: int, batch: int, device: torch.device,
                 dtype: torch.dtype) -> None:
        self.tower = network.model.vision_tower.vision_tower
        self.projector = network.model.mm_projector
        self.select_layer, self.batch = select_layer, batch
        self.device, self.dtype = device, dtype

    @torch.no_grad()
    def patch_features(self, pixels: torch.Tensor) -> torch.Tensor:
        """(n, 3, 336, 336) -> (n, 576, vision width): selected hidden layer, CLS dropped."""
        out = self.tower(pixel_values=pixels.to(self.device, self.dtype), output_hidden_states=True)
        return out.hidden_states[self.select_layer][:, 1:]

    @torch.no_grad()
    def tokens(self, pixels: torch.Tensor) -> torch.Tensor:
        """(n, 3, 336, 336) pixels -> (n, 144, hidden) visual tokens, in micro-batches of ``batch`` frames."""
        parts = []
        for start in range(0, pixels.shape[0], self.batch):
            feats = self.patch_features(pixels[start : start + self.batch])
            parts.append(pool_2x2(self.projector(feats.to(self.dtype))))
        return torch.cat(parts)

    def frames_to_pixels(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """Frames (H, W, 3) uint8 -> (n, 3, 336, 336) float32 on the CPU."""
        return torch.from_numpy(np.stack([clip_pixels(im) for im in images]))
