"""Where the sun stands over a scene at a local date and time (NOAA's low-precision formulas)."""

from __future__ import annotations

import math

SEOUL_LAT, SEOUL_LON, KST_OFFSET_H = 37.5665, 126.978, 9.0


def sun_position(month: int, day: int, hour: float, lat: float = SEOUL_LAT, lon: float = SEOUL_LON,
                 utc_offset_h: float = KST_OFFSET_H) -> tuple[float, float]:
    """(elevation, azimuth) in degrees; azimuth is a compass bearing. Good to about half a degree."""
    day_of_year = sum((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[: month - 1]) + day
    gamma = 2 * math.pi / 365 * (day_of_year - 1 + (hour - 12) / 24)
    equation_of_time = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                                 - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    declination = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
                   - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
                   - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    solar_minutes = hour * 60 + equation_of_time + 4 * lon - 60 * utc_offset_h
    hour_angle = math.radians(solar_minutes / 4 - 180)
    phi = math.radians(lat)
    cos_zenith = (math.sin(phi) * math.sin(declination)
                  + math.cos(phi) * math.cos(declination) * math.cos(hour_angle))
    zenith = math.acos(max(-1.0, min(1.0, cos_zenith)))
    azimuth = math.degrees(math.atan2(
        math.sin(hour_angle),
        math.cos(hour_angle) * math.sin(phi) - math.tan(declination) * math.cos(phi),
    )) + 180
    return 90 - math.degrees(zenith), azimuth % 360


def direction(elevation: float, azimuth: float) -> tuple[float, float, float]:
    """A unit vector towards the sun in scene axes (x east, y north, z up)."""
    e, a = math.radians(elevation), math.radians(azimuth)
    return (math.cos(e) * math.sin(a), math.cos(e) * math.cos(a), math.sin(e))
