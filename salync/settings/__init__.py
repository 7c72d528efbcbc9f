"""Settings package: base (shared), local (embedded defaults), production, test.

Every module reads the environment through ``salync.settings.env``; production differs from
local only in its defaults and in what it requires.
"""

from salync.settings import env

LOCAL = "salync.settings.local"
PRODUCTION = "salync.settings.production"


def settings_module(requested: str | None, *, debug_default: bool) -> str:
    """The settings a process runs: ``requested`` (DJANGO_SETTINGS_MODULE) when set, else
    production whenever DEBUG is off and local when it is on.

    ``debug_default`` stands in for an unset DEBUG: on for ``manage.py`` on a laptop, off for
    gunicorn and Celery, so a server started without configuration refuses to run rather than
    running with development secrets.
    """
    if requested:
        return requested
    return LOCAL if env.bool_("DEBUG", debug_default) else PRODUCTION
