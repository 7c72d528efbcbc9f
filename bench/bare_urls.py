"""The baselines alone: a bare Django worker, for the memory a worker needs without the app."""

from bench.views import urlpatterns

__all__ = ["urlpatterns"]
