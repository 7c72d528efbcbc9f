from django.apps import AppConfig


class SalesChannelsConfig(AppConfig):
    name = "saleschannels"
