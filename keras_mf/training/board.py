"""A TensorBoard server for a log folder, on 127.0.0.1 and a free port, stopped on exit: for the end-to-end test
and `docs/screenshots.py`."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

# TensorBoard reads the folder in a background thread after it starts answering; its first reload of a few
# runs takes seconds on two busy cores.
_START_SECONDS = 120


@contextlib.contextmanager
def tensorboard_server(logdir, wait_for_plugin="hparams"):
    """Starts `tensorboard --logdir logdir` on 127.0.0.1 and a free port, waits until `wait_for_plugin` is active
    (its runs are loaded), yields the base URL ("http://127.0.0.1:<port>") and stops it on exit.

    Args:
        logdir: str or path, the folder `tensorboard --logdir` reads.
        wait_for_plugin: str, the dashboard (plugin name) that must be active before the URL is yielded.

    Yields:
        The base URL (str), "http://127.0.0.1:<port>".

    Raises:
        RuntimeError: TensorBoard did not answer within two minutes, with the end of its output.

    Example:
        Starting TensorBoard takes seconds to minutes, so this is not run as a doctest:

        >>> from keras_mf.training.board import get_json, tensorboard_server
        >>> with tensorboard_server("runs") as url:  # doctest: +SKIP
        ...     print(sorted(get_json(url, "/data/plugins_listing")))
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    executable = shutil.which("tensorboard", path=os.path.dirname(sys.executable)) or shutil.which("tensorboard")
    command = [executable] if executable else [sys.executable, "-m", "tensorboard.main"]
    command += ["--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port), "--load_fast", "false"]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, process, output, wait_for_plugin)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(url, process, output, plugin):
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError, ValueError):
            if get_json(url, "/data/plugins_listing")[plugin]["enabled"]:
                return
        time.sleep(1)
    output.seek(0)
    tail = output.read().decode(errors="replace")[-3000:]
    raise RuntimeError(f"TensorBoard on {url} did not show {plugin} within {_START_SECONDS} s:\n{tail}")


def get_json(url, path, body=None):
    """GETs (or, with `body`, POSTs JSON to) TensorBoard's `path` and returns the decoded JSON.

    Args:
        url: str, the server's base URL (from `tensorboard_server`).
        path: str, e.g. "/data/plugins_listing".
        body: None, or a JSON-serialisable object to POST.

    Returns:
        The decoded JSON (dict, list, ...).

    Raises:
        urllib.error.URLError: the server does not answer (60-second timeout), or answers with an HTTP error.
    """
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def get_text(url, path):
    """GETs TensorBoard's `path` as text.

    Args:
        url: str, the server's base URL (from `tensorboard_server`).
        path: str.

    Returns:
        str, the response decoded as UTF-8.

    Raises:
        urllib.error.URLError: the server does not answer (60-second timeout), or answers with an HTTP error.
    """
    with urllib.request.urlopen(url + path, timeout=60) as response:
        return response.read().decode()
