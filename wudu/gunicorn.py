"""Gunicorn's logger with the project's masking on its access and error logs (`--logger-class
wudu.gunicorn.RedactingLogger`): an access line carries the request path, and a resident's tracking link is a
path (`/suqiu/t/<token>/`)."""

from gunicorn.glogging import Logger

from .logs import RedactingFilter


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())
