# One venv in the repo; every target that runs code depends on it.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install serve test test-fast lint bench soak clean constraints image test-image

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: the CPU wheel on disk, never a multi-GB CUDA download here.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

serve: install
	$(VENV)/bin/embedrank serve

test: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -m "not docker"

# The fast lane while developing: the use cases on the fake engine and the app in process, seconds.
test-fast: install
	$(VENV)/bin/pytest tests/unit tests/integration

# The CPU image serving the bundled all-MiniLM-L6-v2, built with this machine's package sources and,
# where the public base cannot be pulled, a Python base made from Debian packages (docker/image.py).
image:
	docker/with_daemon.sh python3 docker/image.py build --tag embedrank:cpu \
		--build-arg TORCH_VARIANT=cpu --build-arg BAKE_MODELS= --build-arg MODEL_NAMES=

# The container tests: the CPU image with baked models, both modes, for real. Starts a Docker daemon
# when none answers and one can be (and stops it after); skips, saying why, where none can.
test-image: install
	docker/with_daemon.sh $(VENV)/bin/pytest tests/container -m docker -ra

# Minutes of concurrent load on the fake engine (not part of `make test`); SOAK_MINUTES=30 for longer.
soak: install
	$(PY) -m bench.soak --minutes $(or $(SOAK_MINUTES),5)

# docker/constraints.txt: the image's runtime dependencies, pinned for Linux x86_64 and Python 3.11, after a
# change to pyproject.toml's. pip, setuptools and wheel stay out: docker/build-requirements.txt pins the
# build backend. --native-tls: uv then trusts this machine's CA store, as pip does.
constraints: install
	$(VENV)/bin/uv pip compile pyproject.toml --quiet --native-tls --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --no-emit-package setuptools --no-emit-package pip \
		--no-emit-package wheel --custom-compile-command "make constraints" --output-file docker/constraints.txt

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV)
