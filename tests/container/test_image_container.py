"""What the image is, beside what it serves: configuration, user, files, and no network needed."""

from __future__ import annotations

import json

import pytest

from tests.container.conftest import REPORT, Image
from tests.container.harness import run

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]

HEALTHCHECK = ["python", "/opt/embedrank/healthcheck.py", "/ready"]


def test_image_configuration_and_size(image: Image) -> None:
    attrs = image.client.images.get(image.tag).attrs
    config = attrs["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"] == "10001:10001"
    assert env["HF_HUB_OFFLINE"] == env["TRANSFORMERS_OFFLINE"] == "1"
    assert (env["HOST"], env["PORT"]) == ("0.0.0.0", "8000")
    assert env["MODEL_NAMES"] == ";".join(image.model_ids)
    assert config["Entrypoint"] + config["Cmd"] == ["tini", "--", "embedrank", "runpod"]
    assert config["Healthcheck"]["Test"] == ["CMD", *HEALTHCHECK]
    REPORT["size"] = f"{image.tag}: {attrs['Size'] / 1e9:.2f} GB uncompressed, {len(attrs['RootFS']['Layers'])} layers"


def test_runs_as_non_root_and_cannot_write_its_models(image: Image) -> None:
    script = "id -u; touch /models/x && echo wrote-models; touch /opt/venv/x && echo wrote-venv; true"
    output = image.client.containers.run(image.tag, ["-c", script], entrypoint="sh", remove=True, stderr=False)
    assert output.decode().split() == ["10001"], output


def test_nothing_of_the_build_is_left(image: Image) -> None:
    # The build-time CA, the wheel folder, apt's lists, pip's cache, the bake venv, the dev tool `bench`.
    script = (
        "ls /usr/local/share/ca-certificates/build /tmp/wheels /opt/bake /root/.cache/pip 2>/dev/null;"
        " ls /var/lib/apt/lists | grep -v -e '^partial$' -e '^lock$'; embedrank --help"
    )
    output = image.client.containers.run(image.tag, ["-c", script], entrypoint="sh", remove=True).decode()
    listed, _, help_text = output.partition("usage: embedrank")
    assert listed.strip() == "", f"left in the image: {listed}"
    assert "serve" in help_text and "bench" not in help_text, "bench is not in the image: it must not be offered"


def test_serves_with_no_network_at_all(image: Image) -> None:
    # --network none: the models load from /models and the venv, nothing is fetched; probed from inside.
    with run(image.client, image.tag, ["serve"], network="none") as running:
        running.wait_healthy()
        body = json.dumps({"model": image.minilm, "input": "Hello world"})
        request = (
            "import json, sys, urllib.request as u;"
            "r = u.Request('http://127.0.0.1:8000/v1/embeddings', sys.argv[1].encode(),"
            " {'Content-Type': 'application/json'});"
            "print(len(json.load(u.urlopen(r, timeout=60))['data'][0]['embedding']))"
        )
        assert running.exec(["python", "-c", request, body]) == (0, "384")
