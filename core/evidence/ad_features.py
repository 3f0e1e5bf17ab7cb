"""Candidate adverts (spans between two gaps) and their features, in named blocks, for thousands of spans at once.

A candidate runs from where the material after gap ``i`` starts to where the material before gap ``j`` ends, for
every pair of gaps ``AD_S`` apart. Its features come in blocks (``BLOCKS``): how each end is framed (black
frames, silence, cut, picture / sound / logo change across it), what the inside looks and sounds like next to
the whole recording and next to its own surroundings, what separates it inside (a candidate holding a separator is
probably two adverts), and commercial text cues. The recording's median stands for the programme: the programme
is most of any recording.

The ``material`` block stacks a second, smaller model: ``material_features`` describes every 0.25 s tick by its
surroundings (logo, colours against the programme, loudness, shot rate), a tick classifier fitted on every tick of
the corpus (thousands of advert ticks, where the candidate model sees a few dozen whole adverts) gives each tick a
log-odds of being advert material (``add_material``), and the block summarises those log-odds inside a candidate,
at its ends and around it.

A fitted model names the features it uses (``resources/models/ads.json``); ``features`` computes just those, so a
later block (for example visual novelty from frame embeddings) is a new entry in ``BLOCKS`` that only models fitted
with it ask for. A feature that cannot be computed (no logo in the recording, no audio, a side beyond the file's
ends) is NaN, which the model treats as missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.evidence.ad_timeline import BLACK, DT, SILENCE, Timeline

AD_S = (6.0, 75.0)  # an advert lasts this long (real ones: 10-60 s)
SIDE_S = 30.0  # seconds on each side compared with the inside
EDGE_S = 3.0  # seconds on each side of a gap compared across it
MAX_PAIRS_PER_GAP = 120  # bound on the candidates starting at one gap (fast cutting)


@dataclass(frozen=True, eq=False)
class Candidates:
    """(n,) parallel arrays: gap indices and the span each candidate covers."""

    i: np.ndarray  # start gap index
    j: np.ndarray  # end gap index
    start_s: np.ndarray
    end_s: np.ndarray

    @property
    def n(self) -> int:
        return len(self.i)


def candidates(tl: Timeline) -> Candidates:
    """Every span between two gaps that lasts AD_S."""
    g = tl.gaps
    lo = np.searchsorted(g.left_s, g.right_s + AD_S[0])
    hi = np.minimum(np.searchsorted(g.left_s, g.right_s + AD_S[1], side="right"), lo + MAX_PAIRS_PER_GAP)
    counts = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(g.n), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = np.repeat(lo, counts) + offsets
    return Candidates(i, j, g.right_s[i], g.left_s[j])


MATERIAL_SCALES_S = (2.0, 8.0)  # half-widths of the windows a tick is described by
CONTEXT_S = 60.0  # half-width of the surroundings a tick's window is compared with
SEPARATOR_CAP_S = 120.0  # distances to the nearest separator are capped here
MATERIAL_FEATURES: tuple[str, ...] = (
    *(f"{n}_{int(h)}s" for h in MATERIAL_SCALES_S for n in
      ("logo", "hist_vs_recording", "hist_vs_logo", "luma_vs_recording", "sat_vs_recording", "motion_vs_recording",
       "db_vs_recording", "cuts_per_min", "black_share", "silent_share")),
    "logo_recording", "cuts_per_min_recording")
# How a tick sits in its surroundings: its 8 s window's loudness and shot rate against the 60 s around it, and the
# separators (black frames or silence) around it: adverts come between separators 10-60 s apart, programme runs
# for minutes between them.
CONTEXT_FEATURES: tuple[str, ...] = (
    "db_vs_context", "cuts_vs_context", "separators_30s", "separator_left_s", "separator_right_s",
    "separator_span_s")
# Broadcasters sell spots of standard lengths, so two separators a standard length apart frame an advert; a
# programme's own fades fall where its scenes end. How far the span between the separators around a tick is from
# the nearest standard length (capped at SPOT_CAP_S):
STANDARD_S = (10.0, 15.0, 20.0, 30.0, 45.0, 60.0)  # the spot lengths broadcasters sell
SPOT_CAP_S = 5.0
SPOT_FEATURES: tuple[str, ...] = ("separator_span_off_standard_s",)
ALL_MATERIAL_FEATURES = MATERIAL_FEATURES + CONTEXT_FEATURES + SPOT_FEATURES
# The tick features that do not describe what the footage looks like (no colours, brightness or motion): the
# channel logo, loudness, shot rate, black frames, silence and the separators around. On the corpus a tick
# classifier with colours learns the training footage (training CV 0.98, development 0.59 break F1); without
# them it carries over to footage it never saw (0.95 on the development recordings; benchmarks/RESULTS.md).
STRUCTURE_FEATURES: tuple[str, ...] = tuple(n for n in MATERIAL_FEATURES if not n.startswith(
    ("hist_", "luma_", "sat_", "motion_"))) + CONTEXT_FEATURES


def material_features(tl: Timeline, names: tuple[str, ...] | list[str] = MATERIAL_FEATURES) -> np.ndarray:
    """(n_ticks, len(names)): each tick by the windows around it, against the whole recording (``MATERIAL_FEATURES``)
    and against its own surroundings (``CONTEXT_FEATURES``).

    ``hist_vs_logo`` is the colour distance to the programme's profile, the mean picture while the channel logo is
    on screen (NaN without a logo): the recording's mean mixes programme and adverts, the logo marks programme.
    """
    unknown = [n for n in names if n not in ALL_MATERIAL_FEATURES]
    if unknown:
        raise KeyError(f"no tick feature is called {unknown}")
    cols = _recording_columns(tl)
    if set(names) & set(CONTEXT_FEATURES + SPOT_FEATURES):
        cols.update(_context_columns(tl))
    return np.column_stack([np.asarray(cols[n], np.float64) for n in names]) if names else np.zeros((tl.n, 0))


def _recording_columns(tl: Timeline) -> dict[str, np.ndarray]:
    t = (np.arange(tl.n) + 0.5) * DT
    vis = tl.signals["vis"] > 0
    h_rec = tl.signals["hist"][vis].mean(axis=0) if vis.any() else np.zeros(tl.signals["hist"].shape[1])
    h_logo = None
    if tl.logo.found:
        on = vis & (tl.signals["logo_seen"] > 0) & (tl.signals["logo"] >= 0.5)
        if on.sum() >= 20:
            h_logo = tl.signals["hist"][on].mean(axis=0)
    logo_rec = tl.median("logo", "logo_seen") if tl.logo.found else np.nan
    minutes = tl.duration_s / 60.0
    cut_rate_rec = tl.cum["cut"][-1] / max(minutes, 1e-9)
    cols: dict[str, np.ndarray] = {}
    for half in MATERIAL_SCALES_S:
        a, b = np.maximum(t - half, 0.0), np.minimum(t + half, tl.duration_s)
        k = f"{int(half)}s"
        h = tl.mean("hist", a, b, weight="vis")
        cols[f"logo_{k}"] = tl.mean("logo", a, b, weight="logo_seen") if tl.logo.found else np.full(tl.n, np.nan)
        cols[f"hist_vs_recording_{k}"] = _hist_distance(h, h_rec[None, :])
        cols[f"hist_vs_logo_{k}"] = _hist_distance(h, h_logo[None, :]) if h_logo is not None else np.full(tl.n, np.nan)
        for name, weight in (("luma", "vis"), ("sat", "vis"), ("motion", "vis"), ("db", "aud")):
            cols[f"{name}_vs_recording_{k}"] = tl.mean(name, a, b, weight=weight) - tl.median(name, weight)
        cols[f"cuts_per_min_{k}"] = tl.total("cut", a, b) / (np.maximum(b - a, DT) / 60.0)
        cols[f"black_share_{k}"] = tl.mean("black", a, b)
        cols[f"silent_share_{k}"] = tl.mean("silent", a, b)
    cols["logo_recording"] = np.full(tl.n, logo_rec)
    cols["cuts_per_min_recording"] = np.full(tl.n, cut_rate_rec)
    return cols


def _context_columns(tl: Timeline) -> dict[str, np.ndarray]:
    t = (np.arange(tl.n) + 0.5) * DT
    half = MATERIAL_SCALES_S[-1]
    a, b = np.maximum(t - half, 0.0), np.minimum(t + half, tl.duration_s)
    ca, cb = np.maximum(t - CONTEXT_S, 0.0), np.minimum(t + CONTEXT_S, tl.duration_s)
    cols: dict[str, np.ndarray] = {
        "db_vs_context": tl.mean("db", a, b, weight="aud") - tl.mean("db", ca, cb, weight="aud"),
        "cuts_vs_context": tl.total("cut", a, b) / (np.maximum(b - a, DT) / 60.0)
        - tl.total("cut", ca, cb) / (np.maximum(cb - ca, DT) / 60.0)}
    g = tl.gaps
    sep = g.kinds() > 0
    mid = 0.5 * (g.left_s[sep] + g.right_s[sep])  # (n_separators,) sorted, as the gaps are
    lo, hi = np.searchsorted(mid, t - 30.0), np.searchsorted(mid, t + 30.0)
    cols["separators_30s"] = (hi - lo).astype(float)
    left, right = np.full(tl.n, np.inf), np.full(tl.n, np.inf)
    if mid.size:
        k = np.searchsorted(mid, t)  # the first separator after each tick
        left = np.where(k > 0, t - mid[np.maximum(k - 1, 0)], np.inf)
        right = np.where(k < mid.size, mid[np.minimum(k, mid.size - 1)] - t, np.inf)
    cols["separator_left_s"] = np.minimum(left, SEPARATOR_CAP_S)
    cols["separator_right_s"] = np.minimum(right, SEPARATOR_CAP_S)
    cols["separator_span_s"] = np.minimum(left + right, 2 * SEPARATOR_CAP_S)
    span = left + right  # inf where a side has no separator
    off = np.min(np.abs(span[:, None] - np.array(STANDARD_S)[None, :]), axis=1)
    cols["separator_span_off_standard_s"] = np.minimum(off, SPOT_CAP_S)
    return cols


def add_material(tl: Timeline, tick_logit: np.ndarray) -> None:
    """Store the tick classifier's log-odds (``tick_logit``, (n_ticks,)) as the ``material`` signal of ``tl``."""
    z = np.asarray(tick_logit, np.float64).reshape(-1)
    if z.shape != (tl.n,):
        raise ValueError(f"material log-odds need one value per tick ({tl.n}), got {z.shape}")
    tl.signals["material"] = z
    tl.signals["material_low"] = (z < 0).astype(float)
    for k in ("material", "material_low"):
        tl.cum[k] = np.concatenate([[0.0], np.cumsum(tl.signals[k])])


def _hist_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Half the L1 distance between (n, 12) hue histograms (NaN rows stay NaN)."""
    return 0.5 * np.abs(a - b).sum(axis=1)


def gap_novelty(tl: Timeline) -> np.ndarray:
    """(n_gaps,) how strongly the picture changes across each gap: hue-histogram distance (over 0.3) and mean
    brightness change (over 48 grey levels) between the EDGE_S before and after, combined as a Euclidean norm."""
    g = tl.gaps
    before = (g.left_s - EDGE_S, g.left_s)
    after = (g.right_s, g.right_s + EDGE_S)
    hist_d = _hist_distance(tl.mean("hist", *before, weight="vis"), tl.mean("hist", *after, weight="vis"))
    luma_d = np.abs(tl.mean("luma", *before, weight="vis") - tl.mean("luma", *after, weight="vis")) / 48.0
    return np.asarray(np.sqrt(np.nan_to_num(hist_d / 0.3) ** 2 + np.nan_to_num(luma_d) ** 2))


def _gap_block(tl: Timeline) -> dict[str, np.ndarray]:
    """Per gap: how strongly the picture, sound and logo change across it."""
    g = tl.gaps
    before = (g.left_s - EDGE_S, g.left_s)
    after = (g.right_s, g.right_s + EDGE_S)
    db_after = tl.mean("db", *after, weight="aud")
    db_before = tl.mean("db", *before, weight="aud")
    logo_before = tl.mean("logo", *before, weight="logo_seen")
    logo_after = tl.mean("logo", *after, weight="logo_seen")
    lo, hi = tl.ticks(g.left_s - 0.5), tl.ticks(g.right_s + 0.5)
    db = np.where(tl.signals["aud"] > 0, tl.signals["db"], np.nan)
    with np.errstate(all="ignore"):
        db_min = np.array([np.nanmin(db[a:max(b, a + 1)]) if np.isfinite(db[a:max(b, a + 1)]).any() else np.nan
                           for a, b in zip(lo, hi, strict=True)])
    return {"black_s": g.black_s, "silence_s": g.silence_s, "cut": g.cut, "db_min": db_min,
            "novelty": gap_novelty(tl),
            "db_jump": db_after - db_before, "logo_change": logo_after - logo_before}


def boundary_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    gap = _gap_block(tl)
    out = {}
    for name, v in gap.items():
        out[f"start_{name}"] = v[c.i]
        out[f"end_{name}"] = v[c.j]
    out["end_logo_change"] = -out["end_logo_change"]  # both ends: positive = the logo is gone on the advert side
    out["end_db_jump"] = -out["end_db_jump"]  # both ends: positive = louder on the advert side
    return out


def interior_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    """The inside next to the recording (the programme) and next to its own surroundings."""
    a, b = c.start_s, c.end_s
    la, lb, ra, rb = a - SIDE_S, a, b, b + SIDE_S
    la_ok, rb_ok = la >= 0, rb <= tl.duration_s
    dur = np.maximum(b - a, DT)
    minutes = tl.duration_s / 60.0
    out: dict[str, np.ndarray] = {"duration_s": b - a}
    h_in = tl.mean("hist", a, b, weight="vis")
    h_left = np.where(la_ok[:, None], tl.mean("hist", np.maximum(la, 0), lb, weight="vis"), np.nan)
    h_right = np.where(rb_ok[:, None], tl.mean("hist", ra, np.minimum(rb, tl.duration_s), weight="vis"), np.nan)
    vis = tl.signals["vis"] > 0
    h_rec = tl.signals["hist"][vis].mean(axis=0) if vis.any() else np.zeros(tl.signals["hist"].shape[1])
    out["hist_vs_recording"] = _hist_distance(h_in, h_rec[None, :])
    out["hist_vs_sides"] = np.fmin(_hist_distance(h_in, h_left), _hist_distance(h_in, h_right))
    out["hist_sides_apart"] = _hist_distance(h_left, h_right)
    for name, weight in (("luma", "vis"), ("sat", "vis"), ("motion", "vis"), ("db", "aud")):
        inside = tl.mean(name, a, b, weight=weight)
        sides = _side_mean(tl, name, weight, la, lb, ra, rb)
        out[f"{name}_vs_recording"] = inside - tl.median(name, weight)
        out[f"{name}_vs_sides"] = inside - sides
    cut_rate_rec = tl.cum["cut"][-1] / max(minutes, 1e-9)
    out["cuts_per_min"] = tl.total("cut", a, b) / (dur / 60.0)
    side_cuts = tl.total("cut", np.maximum(la, 0), lb) + tl.total("cut", ra, np.minimum(rb, tl.duration_s))
    side_len = (lb - np.maximum(la, 0)) + (np.minimum(rb, tl.duration_s) - ra)
    out["cuts_per_min_sides"] = np.where(side_len > 1, side_cuts / np.maximum(side_len, 1e-9) * 60.0, np.nan)
    out["cuts_per_min_recording"] = np.full(c.n, cut_rate_rec)
    out["black_share"] = tl.mean("black", a, b)
    out["silent_share"] = tl.mean("silent", a, b)
    return out


def _side_mean(tl: Timeline, name: str, weight: str, la: np.ndarray, lb: np.ndarray, ra: np.ndarray,
               rb: np.ndarray) -> np.ndarray:
    la, rb = np.maximum(la, 0), np.minimum(rb, tl.duration_s)
    num = tl.total(name, la, lb) + tl.total(name, ra, rb)
    den = tl.total(weight, la, lb) + tl.total(weight, ra, rb)
    with np.errstate(all="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1e-9), np.nan)


def separator_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    """Separators strictly inside the candidate: one there means the candidate is two adverts or more."""
    g = tl.gaps
    kinds = g.kinds()
    black = np.concatenate([[0], np.cumsum((kinds & BLACK) > 0)])
    silent = np.concatenate([[0], np.cumsum(kinds == SILENCE)])
    inner = lambda cum: (cum[c.j] - cum[np.minimum(c.i + 1, c.j)]).astype(float)  # noqa: E731
    return {"black_inside": inner(black), "silences_inside": inner(silent)}


def logo_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    """Logo presence inside, on the sides and over the recording (NaN when the recording shows no logo)."""
    a, b = c.start_s, c.end_s
    if not tl.logo.found:
        nan = np.full(c.n, np.nan)
        return {"logo_inside": nan, "logo_sides": nan, "logo_recording": nan}
    inside = tl.mean("logo", a, b, weight="logo_seen")
    sides = _side_mean(tl, "logo", "logo_seen", a - SIDE_S, a, b, b + SIDE_S)
    rec = np.full(c.n, tl.median("logo", "logo_seen"))
    return {"logo_inside": inside, "logo_sides": sides, "logo_recording": rec}


def material_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    """The tick classifier's log-odds (see ``add_material``) inside, at both ends inside and outside, and on the
    sides; NaN when the timeline carries none."""
    names = BLOCK_FEATURES["material"]
    if "material" not in tl.cum:
        return {n: np.full(c.n, np.nan) for n in names}
    a, b, d = c.start_s, c.end_s, tl.duration_s
    edge = np.minimum(EDGE_S, 0.5 * (b - a))
    start_in, end_in = tl.mean("material", a, a + edge), tl.mean("material", b - edge, b)
    start_out = np.where(a - EDGE_S >= 0, tl.mean("material", np.maximum(a - EDGE_S, 0), a), np.nan)
    end_out = np.where(b + EDGE_S <= d, tl.mean("material", b, np.minimum(b + EDGE_S, d)), np.nan)
    la, rb = np.maximum(a - SIDE_S, 0), np.minimum(b + SIDE_S, d)
    side_n = (tl.ticks(a) - tl.ticks(la)) + (tl.ticks(rb) - tl.ticks(b))
    side_sum = tl.total("material", la, a) + tl.total("material", b, rb)
    with np.errstate(all="ignore"):
        sides = np.where(side_n > 0, side_sum / np.maximum(side_n, 1), np.nan)
    return {"material_inside": tl.mean("material", a, b), "material_low_share": tl.mean("material_low", a, b),
            "material_edge_in": np.fmin(start_in, end_in), "material_edge_out": np.fmax(start_out, end_out),
            "material_sides": sides}


def text_block(tl: Timeline, c: Candidates) -> dict[str, np.ndarray]:
    """Commercial cues (URLs, phone numbers, prices, calls to action) and speech inside."""
    a, b = c.start_s, c.end_s
    speech_rec = float(tl.signals["speech"].mean()) if tl.n else 0.0
    return {
        "ocr_cues": tl.total("ocr_cue", a, b) * DT,
        "speech_cues": tl.total("speech_cue", a, b) * DT,
        "ocr_text_share": tl.mean("ocr_text", a, b),
        "speech_share_vs_recording": tl.mean("speech", a, b) - speech_rec,
    }


Block = Callable[[Timeline, Candidates], dict[str, np.ndarray]]
BLOCKS: dict[str, Block] = {
    "boundary": boundary_block,
    "interior": interior_block,
    "separator": separator_block,
    "logo": logo_block,
    "material": material_block,
    "text": text_block,
}


def feature_names(blocks: tuple[str, ...] = tuple(BLOCKS)) -> list[str]:
    """The names the blocks produce, in order (BLOCK_FEATURES lists what each block computes)."""
    return [name for block in blocks for name in BLOCK_FEATURES[block]]


BLOCK_FEATURES: dict[str, tuple[str, ...]] = {
    "boundary": tuple(f"{end}_{n}" for end in ("start", "end") for n in
                      ("black_s", "silence_s", "cut", "db_min", "novelty", "db_jump", "logo_change")),
    "interior": ("duration_s", "hist_vs_recording", "hist_vs_sides", "hist_sides_apart",
                 *(f"{n}_{w}" for n in ("luma", "sat", "motion", "db") for w in ("vs_recording", "vs_sides")),
                 "cuts_per_min", "cuts_per_min_sides", "cuts_per_min_recording", "black_share", "silent_share"),
    "separator": ("black_inside", "silences_inside"),
    "logo": ("logo_inside", "logo_sides", "logo_recording"),
    "material": ("material_inside", "material_low_share", "material_edge_in", "material_edge_out", "material_sides"),
    "text": ("ocr_cues", "speech_cues", "ocr_text_share", "speech_share_vs_recording"),
}


def features(tl: Timeline, c: Candidates, names: list[str]) -> np.ndarray:
    """(n_candidates, len(names)) float64 matrix of the named features (NaN = missing)."""
    wanted = set(names)
    values: dict[str, np.ndarray] = {}
    for block, produced in BLOCK_FEATURES.items():
        if wanted & set(produced):
            values.update(BLOCKS[block](tl, c))
    missing = [n for n in names if n not in values]
    if missing:
        raise KeyError(f"no feature block computes {missing}")
    return np.column_stack([np.asarray(values[n], np.float64) for n in names]) if names else np.zeros((c.n, 0))
