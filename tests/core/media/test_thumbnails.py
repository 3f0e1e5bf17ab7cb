import io

import pytest
from PIL import Image

from core.errors import UsageError
from core.media import thumbnails
from tests import mediagen


def test_jpeg_thumbnails_in_the_order_asked(mp4_av):
    times = [2.05, 0.05, 1.05]
    pics = thumbnails(mp4_av, times, width=32)
    assert len(pics) == 3 and all(p[:3] == b"\xff\xd8\xff" for p in pics)
    images = [Image.open(io.BytesIO(p)) for p in pics]
    assert all(im.size == (32, 24) for im in images)


def test_png_keeps_the_right_frame(mp4_av):
    import numpy as np

    (png,) = thumbnails(mp4_av, [1.25], width=64, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert mediagen.read_frame_number(np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))) == 12


def test_bad_format(mp4_av):
    with pytest.raises(UsageError):
        thumbnails(mp4_av, [0.5], fmt="gif")
