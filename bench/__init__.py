"""`make bench`: tebiki's performance goals, each a ratio of two things measured side by side in one run.

Not part of the installed package: run from a source checkout, `python -m bench` (everything) or
`python -m bench pages serve …` (some groups; `python -m bench --list` names them).
"""
