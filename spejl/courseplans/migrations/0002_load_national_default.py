from django.db import migrations


def load(apps, schema_editor):
    from spejl.courseplans.loader import NATIONAL_DEFAULT_FILE, load_plan_file

    load_plan_file(
        apps.get_model("courseplans", "CoursePlan"),
        apps.get_model("courseplans", "CoursePlanMeeting"),
        NATIONAL_DEFAULT_FILE,
    )


class Migration(migrations.Migration):
    dependencies = [("courseplans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
