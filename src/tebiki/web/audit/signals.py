from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .log import record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record("auth.sign_in", actor=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.sign_out", actor=user, request=request)


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    # the attempted email is recorded, never the password (Django already masks it in credentials)
    record("auth.failure", actor=str(credentials.get("username", ""))[:254], request=request)


@receiver(user_locked_out)
def _locked(sender, request, username, ip_address, **kwargs):
    record("auth.lockout", actor=username or "", request=request, data={"ip": ip_address})
