from django.db import migrations


def create_default_locations(apps, schema_editor):
    """Every workspace has a default location; give one to those created before locations."""
    Workspace = apps.get_model("accounts", "Workspace")
    Location = apps.get_model("inventory", "Location")
    for workspace in Workspace.objects.exclude(locations__is_default=True):
        Location.objects.create(workspace=workspace, name="Main warehouse", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_default_locations, migrations.RunPython.noop)]
