from rest_framework import serializers

from accounts.plans import Plan
from apikeys.models import Access


class IndexWorkspaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class IndexApiKeySerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, as shown in Settings.")
    access = serializers.ChoiceField(choices=Access.choices)


class IndexPlanSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=Plan.choices)
    daily_limit = serializers.IntegerField(help_text="Requests per day, per key.")
    burst_limit = serializers.IntegerField(help_text="Requests per minute, per key.")
    webhooks = serializers.BooleanField()


class ApiIndexSerializer(serializers.Serializer):
    api_version = serializers.CharField()
    workspace = IndexWorkspaceSerializer()
    api_key = IndexApiKeySerializer()
    plan = IndexPlanSerializer()
    resources = serializers.DictField(
        child=serializers.URLField(), help_text="Resource name → list URL."
    )
    schema = serializers.URLField()
    documentation = serializers.URLField()
