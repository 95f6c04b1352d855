"""Seal the TOTP keys stored in clear before keys were sealed at rest (tebiki.web.accounts.mfa.seal_totp_keys)."""

from binascii import hexlify, unhexlify

from django.db import migrations

from tebiki.web.sealed import is_sealed, seal, unseal

PURPOSE = "otp_totp.key"  # mfa.KEY_PURPOSE, fixed here as it was when this migration was written


def seal_keys(apps, schema_editor):
    for device in apps.get_model("otp_totp", "TOTPDevice").objects.all():
        if not is_sealed(device.key):
            device.key = seal(unhexlify(device.key.encode()), PURPOSE)
            device.save(update_fields=["key"])


def open_keys(apps, schema_editor):
    for device in apps.get_model("otp_totp", "TOTPDevice").objects.all():
        if is_sealed(device.key):
            device.key = hexlify(unseal(device.key, PURPOSE)).decode()
            device.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("otp_totp", "0003_add_timestamps")]
    operations = [migrations.RunPython(seal_keys, open_keys)]
