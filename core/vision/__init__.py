"""What is on screen, with no GPU: image-text embeddings (CLIP / SigLIP through transformers) of the frames the
evidence pass decodes, text -> frame search, shot descriptions and visual cues for the advert detector.

Below core.evidence and core.semantic (they import it); it imports only core.media, core.store, core.progress,
core.errors and core.results.

- ``FrameEmbedder``: the evidence pass's "vision" stage (selects frames from its one decode, embeds, stores);
- ``visual_find(db, fingerprint, description, *, limit=10)`` -> list[Moment] (label "visual", calibrated 0..1);
- ``shot_descriptions(db, fingerprint)`` -> list[ShotDescription] (labels from the prompt vocabulary, caption);
- ``visual_lines(db, fingerprint)`` -> list[VisualLine]: the same as "visual" evidence lines;
- ``visual_novelty(db, fingerprint, spans)`` -> list[float] and ``ad_cues(...)`` -> list[AdCues] for ads;
- ``load_model``, ``locate_model``, ``write_tiny_model``, ``download_vision_model``: the models.

Objects (no image-text model needed): the NanoDet COCO detector shipped in resources/models
(``load_detector``) runs as the evidence pass's "objects" stage (``ObjectStage``) on the same frames;
``object_find`` answers descriptions that name one of its 80 classes, and ``visual_find``,
``shot_descriptions`` and ``visual_lines`` use its rows; ``object_cues(db, fingerprint, spans)`` ->
list[ObjectCues] for ads.
"""

from core.vision.coco import CLASSES as OBJECT_CLASSES
from core.vision.coco import ObjectMention, parse_objects
from core.vision.cues import AdCues, ad_cues, visual_novelty
from core.vision.detector import Detection, DetectorMissing, ObjectDetector, detector_available, load_detector
from core.vision.download import download_vision_model
from core.vision.find import fmt_time, visual_find
from core.vision.model import (
    DEFAULT_REPO,
    ENV_MODEL,
    LARGER_REPOS,
    ImageTextModel,
    VisionModelMissing,
    available,
    load_model,
    locate_model,
)
from core.vision.object_find import ObjectCues, object_cues, object_find
from core.vision.object_stage import ObjectStage
from core.vision.objects import ObjectCalibration
from core.vision.options import ObjectOptions, VisionOptions
from core.vision.scoring import Calibration, clean_description
from core.vision.shots import ShotDescription, VisionMissing, VisualLine, shot_descriptions, visual_lines
from core.vision.stage import FrameEmbedder
from core.vision.tiny import write_tiny_model

__all__ = [
    "DEFAULT_REPO",
    "ENV_MODEL",
    "LARGER_REPOS",
    "OBJECT_CLASSES",
    "AdCues",
    "Calibration",
    "Detection",
    "DetectorMissing",
    "FrameEmbedder",
    "ImageTextModel",
    "ObjectCalibration",
    "ObjectCues",
    "ObjectDetector",
    "ObjectMention",
    "ObjectOptions",
    "ObjectStage",
    "ShotDescription",
    "VisionMissing",
    "VisionModelMissing",
    "VisionOptions",
    "VisualLine",
    "ad_cues",
    "available",
    "clean_description",
    "detector_available",
    "download_vision_model",
    "fmt_time",
    "load_detector",
    "load_model",
    "locate_model",
    "object_cues",
    "object_find",
    "parse_objects",
    "shot_descriptions",
    "visual_find",
    "visual_lines",
    "visual_novelty",
    "write_tiny_model",
]
