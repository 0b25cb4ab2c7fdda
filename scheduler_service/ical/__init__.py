"""iCalendar output: subscription feeds built from a plan version.

:mod:`.items` (what a feed shows), :mod:`.state` (SEQUENCE, cancellations, retention),
:mod:`.events` and :mod:`.render` (VEVENTs and their descriptions), :mod:`.vtimezone`
(RRULE-based VTIMEZONEs), :mod:`.feeds` (``build_feeds``), :mod:`.writer` (atomic files),
:mod:`.changes` (what changed for whom) and :mod:`.names` (feed file names).
"""
