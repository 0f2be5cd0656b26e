"""Gunicorn's side of the project, loaded by every way we start it (`--logger-class
wudu.gunicorn.RedactingLogger`: `make serve`, the systemd unit, the Dockerfile).

- The project's masking on its access and error logs: an access line carries the request path, and a
  resident's tracking link is a path (`/suqiu/t/<token>/`).
- No server banner: gunicorn writes `Server: gunicorn` into every HTTP/1 answer itself (the application cannot
  remove it) and has no setting to turn it off, so its header writer is wrapped when this module is imported,
  in the master, before the workers are forked. nginx in front says nothing either (`server_tokens off`).
"""

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from .logs import RedactingFilter


def hide_server_banner() -> None:
    """Leave the `Server:` line out of the headers gunicorn writes (idempotent)."""
    original = wsgi.Response.default_headers
    if getattr(original, "hides_banner", False):
        return

    def default_headers(self):
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.hides_banner = True
    wsgi.Response.default_headers = default_headers


hide_server_banner()


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())
