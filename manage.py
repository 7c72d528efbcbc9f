#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    requested = os.environ.get("DJANGO_SETTINGS_MODULE")
    # Importing salync loads the Celery app, which fills in the servers' default (production)
    # when nothing is chosen; a command on a laptop defaults to local settings instead.
    from salync.settings import settings_module

    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module(requested, debug_default=True)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
