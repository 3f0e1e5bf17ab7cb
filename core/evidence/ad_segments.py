"""Advert breaks by labelling the recording: every stretch between two gaps is programme or advert material.

The candidate decoder (``core.evidence.ads``) classifies whole spans, and its classifier sees a few dozen true
adverts in the corpus. This decoder rests on the tick classifier instead (``ad_features.material_features``: every
0.25 s described by its surroundings against the recording, fitted on tens of thousands of ticks), and on the
structure of a broadcast:

1. The gaps (``ad_timeline``: black runs, cuts, lone silences) cut the recording into *pieces*; piece k runs from
   where the material after gap k starts to where the material before gap k+1 ends.
2. A piece's advert evidence is the sum over its ticks of ``tick log-odds - bias``, times the tick length
   (log-odds x seconds): a long piece that looks a little like an advert weighs as much as a short one that looks
   very much like one. The bias is never below the recording's own median tick plus ``median_margin``: the
   programme is most of any recording, so a recording that looks alike throughout (nothing on screen or in the
   sound tells its parts apart) is programme, not one long advert.
3. A label per piece maximises the total evidence of the advert pieces minus a *switch cost* at every gap where
   the label changes (Viterbi over two states); an advert at the very start or end of the file pays the plain
   cut's cost there. A switch costs less at a separator than at a plain cut: the cost
   depends on the gap's class (``gap_class``: 0 a cut or a lone cut-like change, 1 black frames or silence, 2
   black frames and silence together), so a break's edges go to the separator nearest the evidence and a spliced
   advert with no separator can still be found where the evidence is strong.
4. Runs of advert pieces of at least ``min_break_s`` are the breaks; a break is split into its adverts at the
   separators inside it that are of the channel's kind (``Gaps.kinds``: black frames where the break's own edges
   have them, else silence; a channel frames every advert of a break alike, while a pause inside an advert is
   silence alone), and at the plain cuts inside it where the picture changes by at least ``split_novelty``
   (``ad_features.gap_novelty``: one advert follows another with no separator), separators first and then the
   largest changes, never leaving a part shorter than ``min_advert_s``.

The bias and the three switch costs are fitted by ``benchmarks/ads_fit.py`` on the corpus (grid search on
out-of-fold tick scores, by recording); they live in the model file beside the tick classifier. Written by hand:
a two-state Viterbi over a few thousand pieces is a dozen lines, and hmmlearn-style libraries model emissions,
not fitted log-odds with gap-dependent transitions.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.evidence.ad_features import STANDARD_S, gap_novelty
from core.evidence.ad_timeline import BLACK, DT, SILENCE, Gaps, Timeline

NEVER = 1e9  # a split_novelty (or median_margin) no value reaches: the rule is off


@dataclass(frozen=True)
class SegmentParams:
    """The fitted constants of the labelling decoder (units: tick log-odds x seconds)."""

    bias: float  # tick log-odds counted as neutral: a tick adds (z - bias) * DT to its piece
    switch_cut: float  # cost of a programme / advert switch at a plain cut
    switch_separator: float  # at black frames or silence
    switch_both: float  # at black frames with silence
    min_break_s: float = 6.0
    min_advert_s: float = 6.0
    split_novelty: float = NEVER  # the cost of a split at a plain cut, in picture change (NEVER: none)
    standard_bonus: float = 0.0  # worth of an advert part of a standard spot length, in picture change
    median_margin: float = NEVER  # the bias is at least the recording's median tick log-odds plus this

    def __post_init__(self) -> None:
        if min(self.switch_cut, self.switch_separator, self.switch_both) < 0 or self.min_break_s <= 0 \
                or self.min_advert_s <= 0:
            raise ValueError(f"SegmentParams needs switch costs >= 0 and minimum lengths > 0, got {self}")

    def costs(self) -> np.ndarray:
        """(3,) switch cost by gap class."""
        return np.array([self.switch_cut, self.switch_separator, self.switch_both], np.float64)

    def to_json(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SegmentParams:
        return cls(**{k: float(v) for k, v in d.items()})


def gap_class(g: Gaps) -> np.ndarray:
    """(n_gaps,) 0 plain cut, 1 black frames or silence, 2 both."""
    kind = g.kinds()
    return (kind & BLACK) + (kind & SILENCE) // SILENCE


@dataclass(frozen=True, eq=False)
class Pieces:
    """The stretches between consecutive gaps: (n_gaps - 1,) arrays."""

    start_s: np.ndarray
    end_s: np.ndarray
    z_sum: np.ndarray  # sum of tick log-odds over the piece's ticks, x DT (log-odds x seconds)
    length_s: np.ndarray  # seconds of ticks summed (the piece's length on the tick grid)


def pieces(tl: Timeline, z: np.ndarray) -> Pieces:
    """Pieces of ``tl`` with their summed tick log-odds ``z`` (n_ticks,)."""
    g = tl.gaps
    if z.shape != (tl.n,):
        raise ValueError(f"tick log-odds need one value per tick ({tl.n}), got {z.shape}")
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(z, np.float64))])
    a, b = g.right_s[:-1], g.left_s[1:]
    ia, ib = tl.ticks(a), tl.ticks(b)
    ib = np.maximum(ib, ia)
    return Pieces(a, b, (cum[ib] - cum[ia]) * DT, (ib - ia) * DT)


def label(p: Pieces, classes: np.ndarray, bias: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Advert labels for many parameter sets at once.

    p: n pieces; classes (n + 1,) gap classes (gap k precedes piece k); bias (m,); costs (m, 3).
    Returns (m, n) bool: True where the piece is advert material under parameter set m.
    """
    n, m = len(p.start_s), len(bias)
    if n == 0:
        return np.zeros((m, 0), bool)
    ev = p.z_sum[None, :] - bias[:, None] * p.length_s[None, :]  # (m, n)
    switch = costs[:, classes[1:n]]  # (m, n-1): cost at the gap before piece k (k >= 1)
    v_p, v_a = np.zeros(m), ev[:, 0] - costs[:, 0]  # the file's start is no separator
    from_p_to_a = np.zeros((m, n), bool)  # best path into A at k came from P
    from_a_to_p = np.zeros((m, n), bool)  # best path into P at k came from A
    for k in range(1, n):
        c = switch[:, k - 1]
        a_stay, a_switch = v_a, v_p - c
        p_stay, p_switch = v_p, v_a - c
        from_p_to_a[:, k] = a_switch > a_stay
        from_a_to_p[:, k] = p_switch > p_stay
        v_a = np.maximum(a_stay, a_switch) + ev[:, k]
        v_p = np.maximum(p_stay, p_switch)
    out = np.zeros((m, n), bool)
    state = v_a - costs[:, 0] > v_p  # nor is its end
    for k in range(n - 1, -1, -1):
        out[:, k] = state
        # the state before: a path in A at k came from P when from_p_to_a, a path in P from A when from_a_to_p
        state = np.where(state, ~from_p_to_a[:, k], from_a_to_p[:, k])
    return out


def runs(advert: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) piece indices of each run of True in ``advert`` (n,)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], advert.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def breaks_from_labels(p: Pieces, kinds: np.ndarray, advert: np.ndarray, params: SegmentParams,
                       novelty: np.ndarray | None = None) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Breaks as (first piece, last piece) with their adverts as (first piece, last piece) lists.

    ``kinds`` and ``novelty`` (n_gaps,) from ``Gaps.kinds`` and ``ad_features.gap_novelty``. A break is a run of
    advert pieces lasting ``min_break_s``. Its adverts end at the inner gaps with the channel's separator (black
    frames where an edge of the break has them, else silence where one has it), kept where both sides keep
    ``min_advert_s``; each stretch between those is then split at plain cuts by ``_split_at_cuts``.
    """
    out = []
    last_gap = len(kinds) - 1
    for a, b in runs(advert):
        if p.end_s[b] - p.start_s[a] < params.min_break_s:
            continue
        framed = [int(kinds[k]) for k in (a, b + 1) if 0 < k < last_gap]
        # the channel's separator: black frames where an edge has them (silence is measured less surely, and
        # a pause inside an advert is silence alone), else silence where an edge has it
        channel = next((bit for bit in (BLACK, SILENCE) if any(e & bit for e in framed)), 0)
        cuts: list[int] = []
        for k in range(a + 1, b + 1):  # gap k lies between piece k-1 and piece k
            lo = max(cuts, default=a)
            if channel and int(kinds[k]) & channel and p.end_s[k - 1] - p.start_s[lo] >= params.min_advert_s \
                    and p.end_s[b] - p.start_s[k] >= params.min_advert_s:
                cuts.append(k)
        edges = [a, *cuts, b + 1]
        if novelty is not None and params.split_novelty < NEVER:
            more = [k for i, j in itertools.pairwise(edges) for k in _split_at_cuts(p, novelty, i, j, params)]
            edges = sorted([*edges, *more])
        out.append(((a, b), [(i, j - 1) for i, j in itertools.pairwise(edges)]))
    return out


STANDARD_TOL_S = 0.75  # a part within this of a standard spot length (ad_features.STANDARD_S) is one


def _standard(seconds: float) -> bool:
    return min(abs(seconds - s) for s in STANDARD_S) <= STANDARD_TOL_S


def _split_at_cuts(p: Pieces, novelty: np.ndarray, first: int, stop: int, params: SegmentParams) -> list[int]:
    """Gap indices (sorted) that split pieces ``first .. stop - 1`` into adverts at plain cuts.

    The split set maximises, over its parts, ``standard_bonus`` for each part of a standard spot length
    (``STANDARD_S``) plus, over its splits, the picture change there minus ``split_novelty``: one advert follows
    another where the picture changes most and the parts come out as the lengths adverts are sold in. Every part
    keeps ``min_advert_s``. Dynamic programming over the inner gaps (a few dozen in a break).
    """
    gaps = [k for k in range(first + 1, stop) if novelty[k] > 0]
    nodes = [first, *gaps, stop]  # node i starts a part at gap nodes[i] (the last one only ends one)

    def part(i: int, j: int) -> float | None:
        seconds = float(p.end_s[nodes[j] - 1] - p.start_s[nodes[i]])
        if seconds < params.min_advert_s:
            return None
        return params.standard_bonus if _standard(seconds) else 0.0

    best: list[float] = [0.0] + [-np.inf] * (len(nodes) - 1)
    back = [0] * len(nodes)
    for j in range(1, len(nodes)):
        gain = float(novelty[nodes[j]]) - params.split_novelty if j < len(nodes) - 1 else 0.0
        for i in range(j):
            score = part(i, j)
            if score is not None and best[i] > -np.inf and best[i] + score + gain > best[j]:
                best[j], back[j] = best[i] + score + gain, i
    if best[-1] == -np.inf:  # too short to split at all
        return []
    out, j = [], len(nodes) - 1
    while j > 0:
        j = back[j]
        if j > 0:
            out.append(nodes[j])
    return sorted(out)


def effective_bias(z: np.ndarray, params: SegmentParams, median: float | None = None) -> float:
    """The bias for one recording: the fitted one, raised to the median tick log-odds + ``median_margin``
    (``median``: that median when the caller has it already)."""
    if params.median_margin >= NEVER or z.size == 0:
        return params.bias
    return max(params.bias, (float(np.median(z)) if median is None else median) + params.median_margin)


@dataclass(frozen=True)
class LabelledBreak:
    """A break found by labelling: gap indices of its ends and of its adverts' ends, and its mean margin."""

    start_gap: int  # the break starts where the material after this gap starts
    end_gap: int  # and ends where the material before this gap ends
    adverts: tuple[tuple[int, int], ...]  # (start gap, end gap) per advert
    margin: float  # mean of (tick log-odds - bias) over the break's ticks
    advert_margins: tuple[float, ...]  # the same mean over each advert's ticks


def decode_segments(tl: Timeline, z: np.ndarray, params: SegmentParams) -> list[LabelledBreak]:
    """Breaks of ``tl`` from tick log-odds ``z`` (n_ticks,), in time order."""
    p = pieces(tl, z)
    bias = effective_bias(z, params)
    advert = label(p, gap_class(tl.gaps), np.array([bias]), params.costs()[None, :])[0]

    def margin(first: int, last: int) -> float:  # over pieces first..last
        seconds = float(p.length_s[first:last + 1].sum())
        return float(p.z_sum[first:last + 1].sum() - bias * seconds) / max(seconds, 1e-9)

    out = []
    for (a, b), parts in breaks_from_labels(p, tl.gaps.kinds(), advert, params, gap_novelty(tl)):
        # piece k lies between gap k and gap k + 1
        out.append(LabelledBreak(a, b + 1, tuple((i, j + 1) for i, j in parts), margin(a, b),
                                 tuple(margin(i, j) for i, j in parts)))
    return out
