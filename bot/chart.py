"""A small PNG bar chart of reports per day by handling body (Pillow, no plotting library)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from storage.files import write_private

COLOURS = {"bawaslu": (214, 69, 65), "ombudsman": (41, 98, 166), "inspektorat": (90, 150, 70)}
WIDTH, HEIGHT, MARGIN = 720, 360, 40


def reports_chart(
    counts: list[tuple[str, str, int]], today: dt.date, path: Path, days: int = 14
) -> Path:
    """Draw reports per day over the last `days` days, one bar per body, and save as PNG.

    `counts` holds (ISO day, agency, number). Returns the path written.
    """
    window = [today - dt.timedelta(days=days - 1 - i) for i in range(days)]
    agencies = sorted({agency for _, agency, _ in counts} | {"bawaslu", "ombudsman"})
    table = {(day, agency): n for day, agency, n in counts}
    peak = max([1, *table.values()])
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 20
    draw.line(
        [(MARGIN, MARGIN), (MARGIN, MARGIN + plot_h), (MARGIN + plot_w, MARGIN + plot_h)],
        fill="black",
    )
    slot = plot_w / days
    bar = max(2.0, (slot - 6) / len(agencies))
    for i, day in enumerate(window):
        x0 = MARGIN + i * slot + 3
        for j, agency in enumerate(agencies):
            n = table.get((day.isoformat(), agency), 0)
            if n:
                top = MARGIN + plot_h - plot_h * n / peak
                left = x0 + j * bar
                draw.rectangle(
                    [left, top, left + bar - 1, MARGIN + plot_h],
                    fill=COLOURS.get(agency, (120, 120, 120)),
                )
        draw.text((x0, MARGIN + plot_h + 4), day.strftime("%d/%m"), fill="black", font=font)
    draw.text((MARGIN, 10), f"max {peak}", fill="black", font=font)
    for j, agency in enumerate(agencies):
        x = WIDTH - MARGIN - 110 * (len(agencies) - j)
        draw.rectangle([x, 10, x + 10, 20], fill=COLOURS.get(agency, (120, 120, 120)))
        draw.text((x + 14, 9), agency.capitalize(), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    write_private(path, out.getvalue())
    return path
