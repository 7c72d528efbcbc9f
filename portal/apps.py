from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Pages and data that span apps: the Overview, sign-up and workspace set-up, Plan & usage,
    the Developers page and the demo workspace. It stands above the domain apps and calls down."""

    name = "portal"
