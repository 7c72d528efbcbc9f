from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from core.checks import require_shared_cache

        require_shared_cache()
