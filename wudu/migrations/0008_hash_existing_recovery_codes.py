"""The recovery codes django-otp's static device kept in plain text become digests (wudu.RecoveryCode): each code
still works once, and the plain copies are deleted. Not reversible: a digest does not give the code back."""

import re

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "wudu.recovery-code"  # as wudu.models.RECOVERY_DIGEST_SALT, frozen here


def digest(code: str) -> str:
    return salted_hmac(SALT, re.sub(r"[\s-]", "", code or "").lower(), algorithm="sha256").hexdigest()


def hash_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodes = apps.get_model("wudu", "RecoveryCodes")
    RecoveryCode = apps.get_model("wudu", "RecoveryCode")
    for old in StaticDevice.objects.all().order_by("pk"):
        new = RecoveryCodes.objects.create(
            user_id=old.user_id, name=old.name, confirmed=old.confirmed,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count, last_used_at=old.last_used_at)
        if old.created_at:  # auto_now_add set it to now on create
            RecoveryCodes.objects.filter(pk=new.pk).update(created_at=old.created_at)
        RecoveryCode.objects.bulk_create(RecoveryCode(device=new, digest=digest(token))
                                         for token in old.token_set.values_list("token", flat=True))
    StaticDevice.objects.all().delete()  # its tokens go with it (CASCADE)


class Migration(migrations.Migration):

    dependencies = [
        ("wudu", "0007_hashed_recovery_codes"),
        ("otp_static", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop, elidable=True)]
