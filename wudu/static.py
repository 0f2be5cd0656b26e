"""The static files' storage: hashed names and compressed copies (WhiteNoise), sent with a year's cache (issue 15)."""

import hashlib
import threading

from django.conf import settings
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class Storage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage; outside production, before anything was collected (`make bench`), names stay
    plain. Once collectstatic has written the manifest, and always in production, a name missing from it fails as
    loudly as Django's own.
    """

    def stored_name(self, name):
        if not self.hashed_files and not settings.PRODUCTION:
            return name
        return super().stored_name(name)

    def create_compressor(self, **kwargs):
        return OnceCompressor(**kwargs)


class OnceCompressor(Compressor):
    """Compresses each distinct content once. WhiteNoise compresses every file under its plain name and again under
    its hashed name, and the two hold the same bytes (all but the CSS whose links were rewritten): brotli at its best
    quality on the big bundles (ECharts, Swagger UI, ReDoc) was most of `make run`'s first collectstatic. The
    files written are the same; the second copy costs a lookup. WhiteNoise compresses from several threads, so two
    copies may come at once: the second waits for the first's result."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, bytes], threading.Lock] = {}
        self._results: dict[tuple[str, bytes], bytes] = {}

    def compress_brotli(self, data: bytes) -> bytes:
        return self._once("br", Compressor.compress_brotli, data)

    def compress_gzip(self, data: bytes) -> bytes:
        return self._once("gz", Compressor.compress_gzip, data)

    def _once(self, encoding: str, compress, data: bytes) -> bytes:
        key = (encoding, hashlib.sha256(data).digest())
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._results:
                self._results[key] = compress(data)
            return self._results[key]
