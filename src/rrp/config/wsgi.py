"""WSGI entry point for production servers (gunicorn rrp.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
application = get_wsgi_application()
