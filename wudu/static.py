"""The static files' storage: hashed names and compressed copies (WhiteNoise), sent with a year's cache (issue 15)."""

from django.conf import settings
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
