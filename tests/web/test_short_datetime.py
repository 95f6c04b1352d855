"""The rows' date-time (tebiki_tags.short_datetime, short_datetimes) is what Django's date filter shows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.dateformat import format as django_format

from tebiki.web.assessments.templatetags.tebiki_tags import _plain_format, short_datetime, short_datetimes

UTC = dt.UTC
MOMENTS = [dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
           dt.datetime(999, 7, 8, 12, 0, tzinfo=UTC), dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
           dt.datetime(2026, 10, 10, 15, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", "Europe/London", "America/Los_Angeles"])
def test_a_rows_date_time_is_what_the_date_filter_shows(language, zone):
    template = Template('{{ v|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language), timezone.override(zone):
        column = short_datetimes()
        for moment in MOMENTS:
            expected = template.render(Context({"v": moment}))
            assert short_datetime(moment) == column(moment) == expected


@pytest.mark.parametrize("fmt", ["Y/m/d G:i", "Y-m-d H:i:s", "j.n.Y", "d/m/Y H:i", "{Y}", "Y年n月j日 G時i分"])
def test_a_numeric_format_is_formatted_as_django_does(fmt):
    plain = _plain_format(fmt)
    assert plain is not None
    for moment in MOMENTS:
        assert plain.format(moment) == django_format(moment, fmt)


@pytest.mark.parametrize("fmt", ["m/d/Y P", "N j, Y", "y-m-d", "Y-m-d e", r"\Y Y", "D H:i"])
def test_anything_but_numbers_is_left_to_django(fmt):
    # names, a.m./p.m., two-digit years, zones and escapes are Django's own; None sends them there
    assert _plain_format(fmt) is None
