from django.db import migrations


def load(apps, schema_editor):
    from spejl.consents.loader import load_all

    load_all(apps.get_model("consents", "ConsentText"))


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
