from io import StringIO

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    """A model change without its migration fails here, not on a production deploy."""
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
