"""FrameSize geometry matches CLIPImageProcessor; pixels match PIL's bicubic up to resampling differences."""

import av
import numpy as np
import pytest

from core.errors import UsageError
from core.media import FrameSize
from core.media.resize import centre_crop, to_rgb


def _pattern(h: int, w: int) -> np.ndarray:
    """Blocks of 24 px with distinct colours: a one-pixel shift of the crop changes many pixels."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(yy // 24 * 40) % 256, (xx // 24 * 70) % 256, ((yy + xx) // 24 * 30) % 256], axis=-1)
    return img.astype(np.uint8)


def test_scaled_size_examples():
    assert FrameSize.clip(336).scaled_size(1280, 720) == (597, 336)
    assert FrameSize.clip(336).scaled_size(720, 1280) == (336, 597)
    assert FrameSize.clip(336).scaled_size(100, 50) == (672, 336)  # small pictures are enlarged, like CLIP
    assert FrameSize.fit(160, 640).scaled_size(1280, 720) == (160, 90)
    assert FrameSize.fit(4000, 4000).scaled_size(64, 48) == (64, 48)  # fit never enlarges


@pytest.mark.slow  # imports transformers
@pytest.mark.parametrize("w, h", [(1280, 720), (720, 1280), (500, 333), (336, 336)])
def test_clip_matches_clip_image_processor(w, h):
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    img = _pattern(h, w)
    proc = CLIPImageProcessorPil(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336},
                                 do_rescale=False, do_normalize=False)
    ref = np.asarray(proc(images=img, return_tensors="np")["pixel_values"][0])  # (3, 336, 336) float
    ref = np.clip(np.rint(ref), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    ours = to_rgb(av.VideoFrame.from_ndarray(img, format="rgb24"), 0, FrameSize.clip(336))
    assert ours.shape == ref.shape == (336, 336, 3)
    diff = np.abs(ours.astype(np.int16) - ref.astype(np.int16))
    assert diff.mean() < 3.0 and np.median(diff) <= 1  # same geometry; bicubic kernels differ at edges only
    shifted = np.abs(np.roll(ours, 1, axis=1).astype(np.int16) - ref.astype(np.int16))
    assert shifted.mean() > 2 * diff.mean()  # a one-pixel crop offset would show


def test_centre_crop_offsets_like_clip():
    img = np.arange(7 * 10).reshape(7, 10, 1)
    crop = centre_crop(img, 4, 5)
    assert crop[0, 0, 0] == img[(7 - 4) // 2, (10 - 5) // 2, 0]


def test_rotation_turns_clockwise():
    img = np.zeros((4, 6, 3), np.uint8)
    img[0, 0] = 255  # top-left of the stored picture
    out = to_rgb(av.VideoFrame.from_ndarray(img, format="rgb24"), 90, None)
    assert out.shape == (6, 4, 3) and out[0, -1, 0] == 255  # turned clockwise: top-left -> top-right


@pytest.mark.parametrize("args", [("square", 3, 3), ("clip", 0, 336)])
def test_bad_sizes_are_usage_errors(args):
    with pytest.raises(UsageError):
        FrameSize(*args)
