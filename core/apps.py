from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from core.checks import require_encryption_keys, require_shared_cache
        from core.db import fast_timestamps_install

        require_shared_cache()
        require_encryption_keys()
        fast_timestamps_install()
