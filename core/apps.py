from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from core.checks import require_shared_cache
        from core.db import fast_timestamps_install

        require_shared_cache()
        fast_timestamps_install()
