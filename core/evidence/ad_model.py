"""The fitted advert classifier, stored as JSON and evaluated in numpy (no scikit-learn at run time).

``benchmarks/ads_fit.py`` fits either scikit-learn's ``HistGradientBoostingClassifier`` or a standardised
``LogisticRegression`` on the corpus (whichever cross-validates better) and writes it here
(``resources/models/ads.json``). Trees: every node's feature index, threshold, children, where a missing value
(NaN) goes, and the leaf values; ``AdModel.logit`` walks all trees for all candidates at once, one tree level per
numpy step, and adds the leaf values to the baseline, the same raw score as scikit-learn's ``decision_function``.
Linear: per-feature mean and scale (a missing value counts as the mean) and the coefficients. A JSON file, not a
pickle: loading it runs no code.

A model may carry a ``material`` model: the tick classifier whose log-odds the ``material`` feature block
summarises (``core.evidence.ad_features.add_material``); it is stored inside the same file and has the same form.
A model with ``segments`` (the labelling decoder's fitted constants, ``core.evidence.ad_segments``) finds breaks
by labelling the recording from the tick classifier's log-odds instead of classifying candidate spans; its
candidate trees, if any, are then unused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import LongwatchError
from core.evidence.ad_segments import SegmentParams

FORMAT = "longwatch-ads/1"


class AdModelError(LongwatchError):
    """The advert model file is missing or malformed."""


@dataclass(frozen=True, eq=False)
class Tree:
    feature: np.ndarray  # (n_nodes,) int, feature column of a split
    threshold: np.ndarray  # (n_nodes,) float, go left when x <= threshold
    left: np.ndarray  # (n_nodes,) int
    right: np.ndarray  # (n_nodes,) int
    missing_left: np.ndarray  # (n_nodes,) bool, where NaN goes
    is_leaf: np.ndarray  # (n_nodes,) bool
    value: np.ndarray  # (n_nodes,) float, a leaf's contribution to the logit

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Tree:
        return cls(np.asarray(d["feature"], np.int64), np.asarray(d["threshold"], np.float64),
                   np.asarray(d["left"], np.int64), np.asarray(d["right"], np.int64),
                   np.asarray(d["missing_left"], bool), np.asarray(d["is_leaf"], bool),
                   np.asarray(d["value"], np.float64))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n,) leaf values for the (n, n_features) matrix ``x``."""
        node = np.zeros(len(x), np.int64)
        rows = np.arange(len(x))
        for _ in range(len(self.feature)):  # depth is far below the node count; stops when all rows are at leaves
            active = ~self.is_leaf[node]
            if not active.any():
                break
            n, r = node[active], rows[active]
            v = x[r, self.feature[n]]
            go_left = np.where(np.isnan(v), self.missing_left[n], v <= self.threshold[n])
            node[active] = np.where(go_left, self.left[n], self.right[n])
        return self.value[node]


@dataclass(frozen=True, eq=False)
class AdModel:
    """A fitted classifier of candidate adverts: ``logit(x)`` > ``decision_logit`` means "an advert"."""

    features: tuple[str, ...]
    baseline: float  # the intercept (log-odds)
    trees: tuple[Tree, ...]
    decision_logit: float
    info: dict[str, Any]
    linear: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (mean, scale, coef), each (n_features,)
    material: AdModel | None = None  # the tick classifier behind the "material" features, if the model uses them
    segments: SegmentParams | None = None  # the labelling decoder's constants; needs ``material``

    def __post_init__(self) -> None:
        if self.segments is not None and self.material is None:
            raise AdModelError("an advert model that labels segments needs its tick classifier (material); "
                               "refit it with benchmarks/ads_fit.py")

    def logit(self, x: np.ndarray) -> np.ndarray:
        """(n,) raw scores (log-odds) for the (n, len(features)) matrix ``x``."""
        if x.ndim != 2 or x.shape[1] != len(self.features):
            raise AdModelError(f"the advert model needs {len(self.features)} features per candidate, got {x.shape}")
        out = np.full(len(x), self.baseline)
        if self.linear is not None:
            mean, scale, coef = self.linear
            z = np.nan_to_num((x - mean) / scale, nan=0.0, posinf=0.0, neginf=0.0)
            out += z @ coef
        for tree in self.trees:
            out += tree.predict(x)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AdModel:
        if d.get("format") != FORMAT:
            raise AdModelError(f"not a Longwatch advert model (format {d.get('format')!r}, expected {FORMAT!r}); "
                               "refit it with benchmarks/ads_fit.py")
        try:
            lin = d.get("linear")
            linear = None if lin is None else tuple(np.asarray(lin[k], np.float64) for k in ("mean", "scale", "coef"))
            material = None if d.get("material") is None else cls.from_json(d["material"])
            segments = None if d.get("segments") is None else SegmentParams.from_json(d["segments"])
            return cls(tuple(d["features"]), float(d["baseline"]), tuple(Tree.from_json(t) for t in d["trees"]),
                       float(d["decision_logit"]), dict(d.get("info", {})), linear,  # type: ignore[arg-type]
                       material, segments)
        except (KeyError, TypeError, ValueError) as e:
            raise AdModelError(f"the advert model file is malformed ({e}); refit it with benchmarks/ads_fit.py") from e

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "features": list(self.features), "baseline": self.baseline,
                "decision_logit": self.decision_logit, "info": self.info,
                "material": None if self.material is None else self.material.to_json(),
                "segments": None if self.segments is None else self.segments.to_json(),
                "linear": None if self.linear is None else dict(zip(("mean", "scale", "coef"),
                                                                     (v.tolist() for v in self.linear), strict=True)),
                "trees": [{"feature": t.feature.tolist(), "threshold": t.threshold.tolist(), "left": t.left.tolist(),
                           "right": t.right.tolist(), "missing_left": t.missing_left.tolist(),
                           "is_leaf": t.is_leaf.tolist(), "value": t.value.tolist()} for t in self.trees]}


def load_model(path: str | Path | None = None) -> AdModel:
    """The model at ``path``, or the one shipped in ``resources/models/ads.json``."""
    if path is not None:
        return _read(Path(path))
    return _shipped()


@lru_cache(maxsize=1)
def _shipped() -> AdModel:
    ref = resources.files("resources") / "models" / "ads.json"
    return _read(Path(str(ref)))


def _read(path: Path) -> AdModel:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as e:
        raise AdModelError(f"advert model {path} is missing; reinstall Longwatch or refit it with "
                           "benchmarks/ads_fit.py") from e
    except (OSError, ValueError) as e:
        raise AdModelError(f"cannot read the advert model {path} ({e}); refit it with benchmarks/ads_fit.py") from e
    return AdModel.from_json(data)
