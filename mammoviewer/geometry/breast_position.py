"""Where a finding lies in the breast, as a report says it: side, clock position, quadrant, depth.

Pure arithmetic on one film's geometry. The film gives its nipple point and its chest wall (the
image column the breast rests against); the nipple-chest wall line runs along the rows. For a
finding centre ``(x, y)`` (full-resolution pixels, top-left origin):

* **depth**: the share of the way from the nipple to the chest wall, in thirds (anterior, middle,
  posterior; ACR BI-RADS atlas);
* **distance from the nipple** in mm (pixel spacing given);
* **offset from the nipple line** in mm: on a CC view it is lateral (+) or medial (-), on an MLO
  view superior (+) or inferior (-). In the standard display (DICOM PatientOrientation column
  direction medial on CC, feet on MLO) up on the film is lateral or superior; a film whose
  orientation says otherwise flips the sign (:func:`up_sign`).

One view fixes one of the two offsets. The **clock position** (as the reader faces the patient:
12 superior, 3 the patient's left, 9 the patient's right) needs both, so it comes from a CC and
an MLO finding of the same lesion (:func:`clock_hour`); from one view a report gives the half
(outer/inner, upper/lower) and the depth. Within :data:`RETROAREOLAR_MM` of the nipple a finding
is retroareolar; within :data:`CENTRAL_MM` of the nipple line, central.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEPTHS = ("anterior", "middle", "posterior")
#: a finding this close to the nipple (mm) is retroareolar
RETROAREOLAR_MM = 20.0
#: a finding this close to the nipple line (mm) is central in that direction
CENTRAL_MM = 10.0
#: the same limits as shares of the nipple-chest wall distance (about 100 mm), for films without spacing
SHARE_RETROAREOLAR, SHARE_CENTRAL = 0.2, 0.1
CC_VIEWS = ("CC", "XCCL", "XCCM", "FB")
MLO_VIEWS = ("MLO", "ML", "LM", "LMO", "SIO")


@dataclass(frozen=True, slots=True)
class Landmarks:
    """A film's nipple point ``(x, y)`` and the column of its chest wall (full-resolution pixels)."""

    nipple: tuple[float, float]
    chest_wall_x: float

    def __post_init__(self) -> None:
        if abs(self.chest_wall_x - self.nipple[0]) < 1.0:
            raise ValueError(f"nipple {self.nipple} lies on the chest wall (x = {self.chest_wall_x})")


@dataclass(frozen=True, slots=True)
class FilmPosition:
    """Where one finding's centre lies on one film."""

    depth_share: float  # 0 at the nipple, 1 at the chest wall
    nipple_mm: float | None  # straight-line distance from the nipple
    offset_mm: float | None  # from the nipple line: + lateral (CC) or superior (MLO)
    axis: str | None  # "lateral" (CC), "superior" (MLO) or None (another view)
    #: the offset and the nipple distance as shares of the nipple-chest wall distance (no spacing needed)
    offset_share: float | None = None
    nipple_share: float = 0.0

    @property
    def depth(self) -> str:
        return depth_of(self.depth_share)


def depth_of(share: float) -> str:
    """Anterior, middle or posterior third of the nipple-chest wall distance."""
    return DEPTHS[min(2, max(0, int(share * 3)))]


def axis_of(view: str | None) -> str | None:
    """``"lateral"`` for CC views, ``"superior"`` for MLO-like views, None otherwise."""
    if view in CC_VIEWS:
        return "lateral"
    if view in MLO_VIEWS:
        return "superior"
    return None


def up_sign(laterality: str | None, view: str | None, orientation: tuple[str, str] | None) -> int:
    """+1 when up on the film is lateral (CC) or superior (MLO), -1 when the film is flipped.

    From PatientOrientation's column direction (the second value: where going down the rows
    leads); unknown means the standard display (+1).
    """
    down = (orientation[1] if orientation else "").upper()
    axis = axis_of(view)
    if not down or axis is None:
        return 1
    if axis == "superior":
        return -1 if "H" in down else 1
    medial = {"R": "L", "L": "R"}.get(laterality or "")
    lateral = {"R": "R", "L": "L"}.get(laterality or "")
    if lateral and lateral in down and medial not in down:
        return -1
    return 1


def film_position(centre: tuple[float, float], marks: Landmarks, pixel_mm: float | None,
                  view: str | None, sign: int = 1) -> FilmPosition:
    """The position of ``centre`` on a film with ``marks`` (``sign`` from :func:`up_sign`)."""
    cx, cy = centre
    nx, ny = marks.nipple
    share = (cx - nx) / (marks.chest_wall_x - nx)
    share = min(1.0, max(0.0, share))
    axis = axis_of(view)
    span = abs(marks.chest_wall_x - nx)
    offset_share = sign * (ny - cy) / span if axis else None
    nipple_share = math.hypot(cx - nx, cy - ny) / span
    if pixel_mm is None or pixel_mm <= 0:
        return FilmPosition(share, None, None, axis, offset_share, nipple_share)
    nipple_mm = math.hypot(cx - nx, cy - ny) * pixel_mm
    offset = sign * (ny - cy) * pixel_mm if axis else None
    return FilmPosition(share, nipple_mm, offset, axis, offset_share, nipple_share)


def clock_hour(laterality: str, lateral_mm: float, superior_mm: float) -> int:
    """Clock position 1-12 (as the reader faces the patient) of an offset from the nipple.

    Right breast: lateral is 9 o'clock; left breast: lateral is 3 o'clock.
    """
    if laterality not in ("R", "L"):
        raise ValueError(f"laterality must be 'R' or 'L', not {laterality!r}")
    towards_3 = lateral_mm if laterality == "L" else -lateral_mm
    angle = math.degrees(math.atan2(towards_3, superior_mm)) % 360.0
    hour = int(round(angle / 30.0)) % 12
    return 12 if hour == 0 else hour


def quadrant(laterality: str | None, lateral_mm: float | None, superior_mm: float | None,
             nipple_mm: float | None, central: float = CENTRAL_MM, retroareolar: float = RETROAREOLAR_MM) -> str:
    """``"upper outer"``, ``"lower inner"`` ..., one half (``"outer"``, ``"upper"`` ...) when one view
    gives one offset, ``"retroareolar"`` near the nipple, ``"central"``, or ``""`` when unknown.

    Offsets and distance in mm, or all three as shares of the nipple-chest wall distance with
    ``central`` and ``retroareolar`` given as shares too (:data:`SHARE_CENTRAL`, :data:`SHARE_RETROAREOLAR`).
    """
    if nipple_mm is not None and nipple_mm < retroareolar:
        return "retroareolar"
    parts = []
    if superior_mm is not None:
        parts.append("central" if abs(superior_mm) < central else ("upper" if superior_mm > 0 else "lower"))
    if lateral_mm is not None:
        parts.append("central" if abs(lateral_mm) < central else ("outer" if lateral_mm > 0 else "inner"))
    parts = [p for p in parts if p != "central"] or (["central"] if parts else [])
    return " ".join(parts)


def describe(laterality: str | None, clock: int | None, quad: str, depth: str | None,
             nipple_mm: float | None) -> str:
    """One line: ``right breast, 10 o'clock, upper outer, middle depth, 45 mm from the nipple``."""
    side = {"R": "right breast", "L": "left breast"}.get(laterality or "", "breast")
    parts = [side]
    if clock is not None:
        parts.append(f"{clock} o'clock")
    if quad:
        parts.append(quad)
    if depth:
        parts.append(f"{depth} depth")
    if nipple_mm is not None:
        parts.append(f"{nipple_mm:.0f} mm from the nipple")
    return ", ".join(parts)
