"""The per-process store of derived state (tebiki.web.recent): least recently used out first."""

from __future__ import annotations

import threading

from tebiki.web.recent import Recent


def test_the_least_recently_used_entry_makes_room():
    r: Recent[str] = Recent(2)
    assert r.put("a", "A") == "A"
    r.put("b", "B")
    assert r.get("a") == "A"  # a is now the most recent
    r.put("c", "C")
    assert (r.get("a"), r.get("b"), r.get("c"), len(r)) == ("A", None, "C", 2)


def test_a_value_put_again_is_replaced_and_becomes_the_most_recent():
    r: Recent[int] = Recent(2)
    r.put("a", 1)
    r.put("b", 2)
    r.put("a", 3)
    r.put("c", 4)
    assert (r.get("a"), r.get("b"), r.get("c")) == (3, None, 4)


def test_clear_forgets_everything():
    r: Recent[int] = Recent(3)
    r.put("a", 1)
    r.clear()
    assert r.get("a") is None and len(r) == 0


def test_threads_putting_and_getting_keep_the_size():
    r: Recent[int] = Recent(8)

    def work(n: int) -> None:
        for i in range(500):
            r.put(f"{n}-{i}", i)
            r.get(f"{n}-{i - 1}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(r) == 8
