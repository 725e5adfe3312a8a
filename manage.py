#!/usr/bin/env python
"""Django's command-line utility. Most people use the `rrp` command instead (see README)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
