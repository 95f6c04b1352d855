"""Mail a fresh personal link to every worker who has not finished an open campaign.

Example (from cron, once a day):  python -m tebiki.web remind_campaigns --base-url https://tebiki.example.jp
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from tebiki.web.people import service
from tebiki.web.people.models import Campaign


class Command(BaseCommand):
    help = "Remind workers who have not answered open self-check campaigns (each reminder carries a new link)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=os.environ.get("TEBIKI_BASE_URL", ""),
                            help="public address of tebiki, e.g. https://tebiki.example.jp (default: $TEBIKI_BASE_URL)")
        parser.add_argument("--campaign", type=int, help="only this campaign ID")
        parser.add_argument("--dry-run", action="store_true", help="list who would be reminded; send nothing")

    def handle(self, *args, base_url: str, campaign: int | None, dry_run: bool, **options):
        if not base_url.startswith(("https://", "http://")):
            raise CommandError("--base-url (or TEBIKI_BASE_URL) must be the public http(s) address of tebiki")
        campaigns = Campaign.objects.filter(opened_at__isnull=False, closed_at__isnull=True).select_related("organisation")
        if campaign is not None:
            campaigns = campaigns.filter(id=campaign)
        total = 0
        for c in campaigns:
            if not c.is_open:
                continue
            try:
                late = service.behind(c, list(service.campaign_workers(c))) if dry_run else \
                    service.remind(c, base_url, actor="command:remind_campaigns")
            except service.MailError as err:
                raise CommandError(f"{c.organisation.name} / {c.title}: the mail server refused or is down; "
                                   f"{len(err.urls)} new links were made but not sent") from None
            total += len(late)
            self.stdout.write(f"{c.organisation.name} / {c.title}: {len(late)}")
        self.stdout.write(f"{'would remind' if dry_run else 'reminded'} {total}")
