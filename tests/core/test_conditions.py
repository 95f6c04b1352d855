"""The three-valued condition evaluator (core/conditions.py), table by table: Kleene's all / any / not over
true, false and unknown fact tests, the `any` value, and the leaves a reason names."""

import pytest

from tebiki.core.conditions import evaluate, leaves

FACTS = {"method": {"vpn"}, "cloud": set(), "active_directory": {False}, "servers": {True}}
T, F, U = {"method": "vpn"}, {"method": "vdi"}, {"wifi": "home"}  # true, false, unknown (wifi not in FACTS)


@pytest.mark.parametrize(("cond", "result"), [
    (None, True),
    (T, True), (F, False), (U, None),
    ({"all": [T, T]}, True), ({"all": [T, F]}, False), ({"all": [F, U]}, False), ({"all": [U, F]}, False),
    ({"all": [T, U]}, None), ({"all": []}, True),
    ({"any": [F, F]}, False), ({"any": [F, T]}, True), ({"any": [U, T]}, True), ({"any": [T, U]}, True),
    ({"any": [F, U]}, None), ({"any": []}, False),
    ({"not": T}, False), ({"not": F}, True), ({"not": U}, None),
    ({"not": {"all": [T, {"not": F}]}}, False), ({"any": [{"not": T}, {"all": [T, {"not": U}]}]}, None),
])
def test_kleene_logic_over_true_false_and_unknown(cond, result):
    assert evaluate(cond, FACTS) is result


@pytest.mark.parametrize(("cond", "result"), [
    ({"servers": "any"}, True),  # a true boolean fact
    ({"active_directory": "any"}, False),  # only False holds: not "any"
    ({"cloud": "any"}, False),  # no value holds
    ({"method": "any"}, True),
    ({"active_directory": False}, True), ({"active_directory": True}, False),
    ({"cloud": "mail"}, False),
])
def test_a_fact_test_holds_when_its_value_does(cond, result):
    assert evaluate(cond, FACTS) is result


def test_any_ignores_an_unknown_none_value():
    assert evaluate({"cloud": "any"}, {"cloud": {None}}) is False
    assert evaluate({"cloud": "any"}, {"cloud": {None, "mail"}}) is True


def test_leaves_are_every_fact_test_in_order_through_all_any_and_not():
    cond = {"all": [{"method": "vpn"}, {"any": [{"cloud": "mail"}, {"not": {"terminal": "byod"}}]},
                    {"not": {"all": [{"wifi": "home"}]}}]}
    assert leaves(cond) == [("method", "vpn"), ("cloud", "mail"), ("terminal", "byod"), ("wifi", "home")]
    assert leaves({"any": [{"device": "mobile"}]}) == [("device", "mobile")]
    assert leaves(None) == []
