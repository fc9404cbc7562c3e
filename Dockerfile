# embedrank: OpenAI-compatible embeddings and reranking, for RunPod serverless or as an HTTP server.
#
#   GPU image, Qwen3-Embedding-0.6B and Qwen3-Reranker-0.6B baked in (the seed worker's models; never
#   built on the project's machines, which reach neither the CUDA wheels nor the Hub):
#     docker build -t embedrank:qwen3-gpu .
#   CPU image serving only the bundled all-MiniLM-L6-v2 (no model download):
#     docker build -t embedrank:cpu --build-arg TORCH_VARIANT=cpu --build-arg BAKE_MODELS= --build-arg MODEL_NAMES= .
#
# Runs as `embedrank runpod` by default; `docker run … IMAGE serve` starts the HTTP server instead.
# docs/deploy.md has every build argument, environment variable and run example.
#
# Stages: `build-base` trusts a build-time CA, `models` bakes the models (it needs no project code, so code
# changes keep its cache), `builder` installs torch and the project into /opt/venv, `runtime` gets only
# the venv, tini and /models. `make image` builds the CPU image with this machine's package sources.
# Only classic-builder syntax is used (no RUN --mount), so `docker build` with or without BuildKit builds
# it, and so does Debian's docker.io, which has no BuildKit client; `make image` and the tests use that.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
# cuda: the default PyPI wheel, which bundles the CUDA runtime; cpu: the PyTorch CPU index, far smaller.
ARG TORCH_VARIANT=cuda
# Keep equal to pyproject.toml's pin (a test checks).
ARG TORCH_VERSION=2.13.0
# Overrides the variant's index, e.g. https://download.pytorch.org/whl/cu128 for another CUDA or for arm64 GPUs.
ARG TORCH_INDEX_URL=
# Hugging Face repo ids (optionally `org/name@revision`) downloaded into /models/<name> at build time, or
# folders of the build context (`./docker/context/models/<name>`) copied there.
ARG BAKE_MODELS="Qwen/Qwen3-Embedding-0.6B;Qwen/Qwen3-Reranker-0.6B"
# What the image serves: the ids clients send. Empty serves the embedded all-MiniLM-L6-v2.
ARG MODEL_NAMES="/models/Qwen3-Embedding-0.6B;/models/Qwen3-Reranker-0.6B"
# Repo files not downloaded: other frameworks' weights. Set it empty to bake whole repos (BACKEND=optimum reads ONNX).
ARG BAKE_EXCLUDE="*.onnx;*.onnx_data;onnx/*;openvino/*;*.h5;*.msgpack;*.ot;*.tflite;*.gguf;coreml/*"
# The image default follows the application default (a test checks); `sentence-transformers` is the fallback.
ARG ENGINE=auto
# Package sources for a build behind a mirror or proxy (`make image` passes this machine's). pip reads the
# PIP_* arguments as its own variables in the build stages; empty means pip's defaults. APT_MIRROR: a
# Debian archive URL replacing the base image's apt sources. An extra CA goes in docker/context/certs/.
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ARG APT_MIRROR=

FROM ${PYTHON_IMAGE} AS base
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONUNBUFFERED=1

# ---------------------------------------------------------------------------------------------------------
# What the build stages share and the runtime image does not: the extra CA certificates of a mirror or a
# TLS-intercepting proxy (docker/context/certs/*.crt), trusted by pip, apt and the Hub client here only.
FROM base AS build-base
COPY docker/context/certs/ /usr/local/share/ca-certificates/build/
RUN update-ca-certificates > /dev/null
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# ---------------------------------------------------------------------------------------------------------
FROM build-base AS models
ARG BAKE_MODELS
ARG MODEL_NAMES
ARG BAKE_EXCLUDE
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
WORKDIR /src
COPY docker/constraints.txt docker/bake_models.py docker/
COPY docker/context/models/ docker/context/models/
# Checks MODEL_NAMES against BAKE_MODELS before anything else. The Hub client goes into a venv of its own
# (Debian's Python refuses system-wide installs) and only when a Hub id is baked; local folders
# (`./docker/context/models/<name>`) and an empty BAKE_MODELS need nothing installed.
RUN set -e; bake="python"; \
    if python docker/bake_models.py --needs-hub --bake "${BAKE_MODELS}" --serve "${MODEL_NAMES}"; then \
        python -m venv /opt/bake \
        && /opt/bake/bin/pip install -c docker/constraints.txt huggingface-hub \
        && bake=/opt/bake/bin/python; \
    fi; \
    "${bake}" docker/bake_models.py --dest /models --bake "${BAKE_MODELS}" --serve "${MODEL_NAMES}" --exclude "${BAKE_EXCLUDE}"

# ---------------------------------------------------------------------------------------------------------
FROM build-base AS builder
ARG TORCH_VARIANT
ARG TORCH_VERSION
ARG TORCH_INDEX_URL
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ARG APT_MIRROR
# tini for the runtime stage, which installs nothing itself (no apt lists or caches there). APT_MIRROR
# replaces the base image's Debian sources with one archive.
# hadolint ignore=DL3008
RUN if [ -n "${APT_MIRROR}" ]; then \
        . /etc/os-release \
        && rm -f /etc/apt/sources.list.d/* \
        && echo "deb ${APT_MIRROR} ${VERSION_CODENAME} main" > /etc/apt/sources.list; \
    fi \
    && apt-get update \
    && apt-get install --yes --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"
WORKDIR /src
COPY docker/constraints.txt docker/build-requirements.txt docker/
# The build backend pinned too: the project is built without isolation, with these.
RUN pip install -r docker/build-requirements.txt
COPY docker/context/wheels/ /tmp/wheels/
# torch alone from its source, then its dependencies pinned from PyPI (the CPU index carries only some
# versions of them; the second install keeps the torch already there, 2.13.0+cpu being ==2.13.0). The
# source: a wheel of this version in docker/context/wheels/ (no index asked), else TORCH_INDEX_URL, else
# the variant's index. The last line fails the build when the wheel does not match the variant.
RUN case "${TORCH_VARIANT}" in \
        cpu) variant_index=https://download.pytorch.org/whl/cpu ;; \
        cuda) variant_index=https://pypi.org/simple ;; \
        *) echo "TORCH_VARIANT must be cpu or cuda, not '${TORCH_VARIANT}'" >&2; exit 1 ;; \
    esac \
    && if ls /tmp/wheels/torch-"${TORCH_VERSION}"[+-]*.whl > /dev/null 2>&1; then \
        torch_source="--no-index --find-links /tmp/wheels"; \
    else \
        torch_source="--index-url ${TORCH_INDEX_URL:-${variant_index}}"; \
    fi \
    && pip install --no-deps ${torch_source} "torch==${TORCH_VERSION}" \
    && pip install -c docker/constraints.txt "torch==${TORCH_VERSION}" \
    && rm -rf /tmp/wheels \
    && python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" \
    && python -c "import torch; assert ('${TORCH_VARIANT}' == 'cuda') == bool(torch.version.cuda), 'wrong wheel'"
# Dependencies before code, so editing the code (or the README) reuses this layer: empty package folders
# and an empty README make the first install resolve and fetch everything; the second adds the code alone.
COPY pyproject.toml ./
RUN mkdir domain adapters application entrypoints \
    && touch README.md \
    && pip install --no-build-isolation -c docker/constraints.txt . \
    && pip uninstall --yes embedrank
COPY README.md ./
COPY domain domain
COPY adapters adapters
COPY application application
COPY entrypoints entrypoints
RUN pip install --no-build-isolation --no-deps . && embedrank --help > /dev/null

# ---------------------------------------------------------------------------------------------------------
FROM base AS runtime
ARG TORCH_VARIANT
ARG MODEL_NAMES
ARG ENGINE
RUN groupadd --system --gid 10001 embedrank \
    && useradd --system --uid 10001 --gid embedrank --create-home --home-dir /home/embedrank \
        --shell /usr/sbin/nologin embedrank
# tini is PID 1: it forwards SIGTERM (RunPod scale-down, `docker stop`) and reaps children; Python as
# PID 1 would ignore SIGTERM, and RunPod offers no `--init`. The static build needs nothing beside it.
COPY --from=builder /usr/bin/tini-static /usr/bin/tini
COPY --from=builder /opt/venv /opt/venv
COPY --from=models /models /models
COPY docker/healthcheck.py /opt/embedrank/healthcheck.py
# Models come from /models or the venv (the embedded default) and never from the network at run time.
# HOST=0.0.0.0 so that a published port reaches `embedrank serve`; HF_HOME is writable by the user.
ENV PATH="/opt/venv/bin:${PATH}" \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/embedrank \
    HF_HOME=/home/embedrank/.cache/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    INFINITY_ANONYMOUS_USAGE_STATS=0 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    MODEL_NAMES="${MODEL_NAMES}" \
    ENGINE="${ENGINE}" \
    HOST=0.0.0.0 \
    PORT=8000
# Fail the build, not the first cold start, on a setting the app rejects (an unknown ENGINE, say).
RUN python -c "from application.settings import load_settings; print(*load_settings().model_specs(), sep='\n')"
LABEL org.opencontainers.image.title="embedrank" \
      org.opencontainers.image.description="OpenAI-compatible embedding and rerank server; RunPod worker by default" \
      io.embedrank.torch-variant="${TORCH_VARIANT}" \
      io.embedrank.model-names="${MODEL_NAMES}"
USER 10001:10001
WORKDIR /home/embedrank
EXPOSE 8000
# In RunPod mode the check passes without probing (see docker/healthcheck.py); in serve mode it asks
# /ready. The long start period covers model loading: failures in it do not count, the first success ends it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD ["python", "/opt/embedrank/healthcheck.py", "/ready"]
ENTRYPOINT ["tini", "--", "embedrank"]
CMD ["runpod"]
