"""The built documentation site, opened as a reader opens it: served on 127.0.0.1 and loaded in headless
Chromium (Debian's `chromium`), driven over the DevTools protocol with a small WebSocket client written
here, so that no browser download or extra package is needed.

The home page and the five tutorial pages must load without a JavaScript error or console error, without a
failed or refused request (the site is self-contained: MathJax is served with it, nothing leaves
127.0.0.1), with every image decoded, with every internal link and anchor resolving, and each tutorial page
with its figures and its rendered maths.

Build the site first: `python -m sphinx -W --keep-going -b html docs docs/_build/html`. Without the built
site or without chromium the test skips (one line); with CI=true either is an error.
Set KERAS_MF_DOCS_SCREENSHOTS to a folder to save a screenshot of each page there.
"""

import base64
import contextlib
import functools
import html.parser
import http.server
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.environ.get("KERAS_MF_DOCS_SITE", os.path.join(ROOT, "docs", "_build", "html"))
IN_CI = os.environ.get("CI", "").lower() == "true"

# Page → the fewest figures it must show (each a sphinx-gallery image of a figure drawn by the page's run).
TUTORIALS = {
    "auto_tutorials/tutorial_000_autoencoders_rnns.html": 3,  # Eckart–Young curve, reconstructions, TBPTT
    "auto_tutorials/tutorial_001_inverse.html": 1,  # conditioning of Hilbert matrices
    "auto_tutorials/tutorial_002_linear_algebra.html": 1,  # eigendigits
    "auto_tutorials/tutorial_003_maths.html": 2,  # SymNMF / spectral confusion matrices, objective
    "auto_tutorials/tutorial_004_svd.html": 3,  # geometry, singular values, compression
}
PAGES = {"index.html": 0, **TUTORIALS}

pytestmark = pytest.mark.slow


def _unavailable(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the docs check must run)")
    pytest.skip(reason)


def _chromium():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _unavailable("chromium is not installed (apt-get install chromium)")
    if not os.path.exists(os.path.join(SITE, "index.html")):
        _unavailable(f"no built site at {SITE} (python -m sphinx -W --keep-going -b html docs docs/_build/html)")
    return path


# --- the site, served on 127.0.0.1 ------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests = None  # set per server: list of (path, status)

    def log_request(self, code="-", size="-"):
        self.requests.append((urllib.parse.unquote(self.path), int(code) if str(code).isdigit() else code))

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder):
    requests = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()


# --- a minimal WebSocket client (RFC 6455: text frames, masked, one connection) ----------------------------


class _WebSocket:
    def __init__(self, url, timeout=60):
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the DevTools endpoint closed during the handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"WebSocket handshake refused: {head[:200]!r}")

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("the DevTools connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self, timeout=60):
        """The next text message; TimeoutError if none starts within `timeout` seconds (a frame that has
        started is read whole, so that a timeout never leaves the stream mid-frame)."""
        if not self.buffer and not select.select([self.sock], [], [], timeout)[0]:
            raise TimeoutError("no DevTools message")
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("the DevTools connection closed")
            if opcode in (0x9, 0xA):  # ping / pong: no reply needed by Chromium
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


class _Browser:
    """Headless Chromium on a fresh profile, one page driven over the DevTools protocol."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="keras_mf_chromium_")
        flags = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--window-size=1280,900",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            f"--user-data-dir={self.profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [executable, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = self.process.stderr.read().decode(errors="replace")[-2000:] if self.process.poll() else ""
                self.close()
                raise RuntimeError(f"chromium did not open its DevTools port: {error}")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = _WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method, timeout=60, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.receive())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(method)

    def wait_for(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            try:
                message = json.loads(self.ws.receive(timeout=max(0.1, deadline - time.monotonic())))
            except TimeoutError:
                break
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(method)

    def settle(self, quiet=1.0, timeout=30):
        """Reads events until no network request has started for `quiet` seconds (fonts, MathJax)."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() < deadline:
            try:
                message = json.loads(self.ws.receive(timeout=quiet))
            except TimeoutError:
                break
            if "method" in message:
                self.events.append(message)
                if message["method"] in ("Network.requestWillBeSent", "Network.loadingFinished"):
                    last = time.monotonic()

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for _ in range(20):  # the browser's helper processes may still be writing to the profile for a moment
            shutil.rmtree(self.profile, ignore_errors=True)
            if not os.path.exists(self.profile):
                break
            time.sleep(0.25)


_PAGE_FACTS = """JSON.stringify({
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0,
                                                 cls: i.className})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  maths: document.querySelectorAll('mjx-container').length,
  mathSource: document.querySelectorAll('.math').length,
  title: document.title,
  height: document.documentElement.scrollHeight,
})"""


def _problems(events, base):
    """Console errors, uncaught exceptions, failed requests and requests that leave 127.0.0.1."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            found.append(f"JavaScript exception: {text} ({details.get('url', '')}:{details.get('lineNumber')})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            found.append(f"console error ({entry.get('source')}): {entry['text']} {entry.get('url', '')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith((base, "data:", "blob:", "about:")):
                found.append(f"request leaves the site: {url}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            found.append(f"request failed: {params.get('errorText')} ({params.get('type')})")
    return found


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _fetch(url):
    """(status, ids of the page) for an internal URL without its fragment."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, frozenset()
    ids = _Ids()
    if url.endswith((".html", "/")):
        ids.feed(body.decode("utf-8", errors="replace"))
    return status, frozenset(ids.ids)


def _broken_links(links, base):
    broken = []
    for link in sorted(set(links)):
        if not link.startswith(base):
            continue  # external links are the reader's network's business, not the site's
        url, _, fragment = link.partition("#")
        status, ids = _fetch(url)
        if status != 200:
            broken.append(f"{link}: HTTP {status}")
        elif fragment and urllib.parse.unquote(fragment) not in ids and url.endswith((".html", "/")):
            broken.append(f"{link}: no element with id {urllib.parse.unquote(fragment)!r}")
    return broken


@pytest.fixture(scope="module")
def site():
    chromium = _chromium()
    with _serve(SITE) as (base, requests):
        browser = _Browser(chromium)
        try:
            yield base, browser, requests
        finally:
            browser.close()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_loads_cleanly(site, page):
    base, browser, requests = site
    browser.events.clear()
    del requests[:]
    browser.call("Page.navigate", url=base + page)
    browser.wait_for("Page.loadEventFired", timeout=120)
    browser.settle()
    facts = json.loads(browser.call("Runtime.evaluate", expression=_PAGE_FACTS, returnByValue=True)["result"]["value"])
    problems = _problems(browser.events, base)
    problems += [f"image not decoded: {image['src']}" for image in facts["images"] if not image["ok"]]
    problems += [f"HTTP {status} from the server: {path}" for path, status in requests if status not in (200, 304)]
    problems += [f"broken internal link: {link}" for link in _broken_links(facts["links"], base)]
    figures = [image for image in facts["images"] if "sphx-glr" in image["cls"]]
    if len(figures) < PAGES[page]:
        problems.append(f"{len(figures)} figure(s), expected at least {PAGES[page]}")
    if page in TUTORIALS and (facts["mathSource"] == 0 or facts["maths"] == 0):
        problems.append(f"maths not rendered: {facts['mathSource']} formulas, {facts['maths']} typeset by MathJax")
    shots = os.environ.get("KERAS_MF_DOCS_SCREENSHOTS")
    if shots:
        os.makedirs(shots, exist_ok=True)
        png = browser.call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(shots, page.replace("/", "_").replace(".html", ".png")), "wb") as f:
            f.write(base64.b64decode(png))
    assert not problems, f"{page} ({facts['title']}):\n  " + "\n  ".join(problems)
