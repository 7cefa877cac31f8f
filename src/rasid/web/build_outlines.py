"""Write the map's country outlines (`static/countries.svg`) from Natural Earth's 1:50m countries
in TopoJSON, as the npm package world-atlas ships them (`countries-50m.json`; public domain):

    python -m rasid.web.build_outlines countries-50m.json

Only the parts of countries that reach into the region rasid's gazetteer covers are kept,
their points rounded to `PRECISION` degrees. The outlines are drawn in degrees, x the longitude and y the
latitude turned over (`-lat`), so a page places its points on them with the same numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REGION = (-18.0, -13.0, 64.0, 40.0)
"""West, south, east, north: the Arab League's countries and their neighbours."""
PRECISION = 0.05
"""Degrees: about 5 km, finer than a country's outline needs at the scales the map draws."""
OUT = Path(__file__).parent / "static" / "countries.svg"


def arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as lists of (lon, lat): each is stored quantized and delta-encoded."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def ring(indices: list[int], decoded: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A polygon ring from arc indices (a negative index `~i` is arc `i` reversed)."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = decoded[index] if index >= 0 else decoded[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def path(points: list[tuple[float, float]]) -> str:
    """SVG path data for a closed ring, rounded, with repeated points dropped."""
    kept: list[tuple[float, float]] = []
    for lon, lat in points:
        point = (round(lon / PRECISION) * PRECISION, round(-lat / PRECISION) * PRECISION)
        if not kept or point != kept[-1]:
            kept.append(point)
    if len(kept) < 3:
        return ""
    return "M" + "L".join(f"{x:g} {y:g}" for x, y in ((round(x, 2), round(y, 2)) for x, y in kept)) + "Z"


def overlaps(points: list[tuple[float, float]]) -> bool:
    west, south, east, north = REGION
    return any(west <= lon <= east and south <= lat <= north for lon, lat in points)


def outlines(topology: dict[str, Any]) -> str:
    decoded = arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [r for r in (ring(r, decoded) for polygon in polygons for r in polygon) if overlaps(r)]
        data = "".join(path(r) for r in rings)
        if data:
            name = geometry.get("properties", {}).get("name", "")
            shapes.append(f'<path id="c{geometry.get("id", "")}" d="{data}"><title>{name}</title></path>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        "<!-- Natural Earth 1:50m countries (public domain), written by rasid.web.build_outlines -->\n"
        '<g id="countries">\n' + "\n".join(shapes) + "\n</g>\n</svg>\n"
    )


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    OUT.write_text(outlines(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), encoding="utf-8")


if __name__ == "__main__":
    main()
