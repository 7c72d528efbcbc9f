from rest_framework import serializers


class _WorkspaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class _ApiKeySerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, as shown in Settings.")
    access = serializers.ChoiceField(choices=["read_write", "read_only"])


class _PlanSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["free", "growth", "pro"])
    daily_limit = serializers.IntegerField(help_text="Requests per day, per key.")
    burst_limit = serializers.IntegerField(help_text="Requests per minute, per key.")
    webhooks = serializers.BooleanField()


class ApiIndexSerializer(serializers.Serializer):
    api_version = serializers.CharField()
    workspace = _WorkspaceSerializer()
    api_key = _ApiKeySerializer()
    plan = _PlanSerializer()
    resources = serializers.DictField(
        child=serializers.URLField(), help_text="Resource name → list URL."
    )
    schema = serializers.URLField()
    documentation = serializers.URLField()
