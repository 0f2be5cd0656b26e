import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wudu.settings")
application = get_wsgi_application()

# A production server refuses the example file's SECRET_KEY and a database with the demo's accounts (wudu/checks.py).
from wudu.checks import refuse_insecure_start  # noqa: E402

refuse_insecure_start()
