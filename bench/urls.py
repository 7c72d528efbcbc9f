"""The app's URLs with the baselines beside them: one server answers both."""

from bench import views
from salync.urls import handler400, handler403, handler404, handler500
from salync.urls import urlpatterns as app_urlpatterns

urlpatterns = [*views.urlpatterns, *app_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
