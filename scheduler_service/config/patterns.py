"""The library of named 24/7 rotation presets.

Names are used inconsistently in the field (Pitman, Panama and 2-2-3 get swapped), so a preset is
only shorthand: it expands to an explicit cycle string per team and a day offset per team, and
that explicit form is what the config validator, ``traincal shifts`` and the docs show.

Team *k* on calendar day *d* (counted from the rotation's anchor date) works
``cycle_k[(d + offset_k) mod len(cycle_k)]``. Letters name shifts ("D", "S", "N"); "O" and "-"
are days off.
"""

from __future__ import annotations

from dataclasses import dataclass

OFF_CODES = frozenset({"O", "-"})

_PITMAN_D = "DDOODDDOODDOOO"
_PITMAN_N = _PITMAN_D.replace("D", "N")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    cycles: tuple[str, ...]  # one cycle string per team slot
    offsets: tuple[int, ...]  # one day offset per team slot
    teams_on_duty: int  # at every instant, exactly this many teams are working
    anchor_weekday: int | None = None  # 0 = Monday, when the pattern is tied to weekdays

    @property
    def team_count(self) -> int:
        return len(self.cycles)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "pitman",
            "Pitman 2-2-3, fixed 12 h days/nights: two day teams and two night teams, 14-day cycle",
            (_PITMAN_D, _PITMAN_D, _PITMAN_N, _PITMAN_N),
            (0, 7, 0, 7),
            1,
        ),
        Preset(
            "pitman-rotating",
            "Pitman 2-2-3 rotating: 14 days on days then 14 on nights, 28-day cycle, 4 teams",
            (_PITMAN_D + _PITMAN_N,) * 4,
            (0, 7, 14, 21),
            1,
        ),
        Preset(
            "panama",
            "Panama slow rotation: 28 days of 2-2-3 on days then 28 on nights, 56-day cycle",
            (_PITMAN_D * 2 + _PITMAN_N * 2,) * 4,
            (0, 7, 28, 35),
            1,
        ),
        Preset(
            "dupont",
            "DuPont 12 h: 4N 3O 3D 1O 3N 3O 4D 7O, 28-day cycle, 4 teams",
            ("NNNNOOODDDONNNOOODDDDOOOOOOO",) * 4,
            (0, 7, 14, 21),
            1,
        ),
        Preset(
            "4on4off",
            "4-on-4-off 12 h, fixed: two day teams and two night teams, 8-day cycle",
            ("DDDDOOOO", "DDDDOOOO", "NNNNOOOO", "NNNNOOOO"),
            (0, 4, 0, 4),
            1,
        ),
        Preset(
            "continental",
            "Continental 8 h (D/S/N): 2D 3S 2N / 2O 3D 2S / 2N 3O 2D / 2S 3N 2O, 28-day cycle",
            ("DDSSSNNOODDDSSNNOOODDSSNNNOO",) * 4,
            (0, 7, 14, 21),
            1,
        ),
        Preset(
            "metropolitan",
            "Metropolitan fast rotation 8 h: DDSSNNOO, 8-day cycle, 4 teams",
            ("DDSSNNOO",) * 4,
            (0, 2, 4, 6),
            1,
        ),
        Preset(
            "southern-swing",
            "Southern Swing 8 h: 7D 2O 7S 2O 7N 3O, 28-day cycle, 4 teams",
            ("DDDDDDDOOSSSSSSSOONNNNNNNOOO",) * 4,
            (0, 7, 14, 21),
            1,
        ),
        Preset(
            "fixed-8h-weekends",
            "Fixed 8 h day/evening/overnight teams Monday-Friday plus three weekend teams; "
            "7-day cycle anchored on a Monday, 6 teams",
            (
                "DDDDDOO",
                "SSSSSOO",
                "NNNNNOO",
                "OOOOODD",
                "OOOOOSS",
                "OOOOONN",
            ),
            (0, 0, 0, 0, 0, 0),
            1,
            anchor_weekday=0,
        ),
    )
}
