#!/usr/bin/python3
"""Makes back1.jpg (a real 480x300 JPEG of about 15 KB: 11 MSS-sized segments once its
HTTP headers are added) and favicon.ico. Needs Pillow (Debian: python3-pil). Deterministic."""
import io
import math
import random

from PIL import Image, ImageDraw


def landscape(quality, w=480, h=300):
    img = Image.new("RGB", (w, h))
    px = img.load()
    rnd = random.Random(1)
    for y in range(h):
        for x in range(w):
            hill = h * 0.6 + 30 * math.sin(x / 37.0) + 15 * math.sin(x / 11.0)
            if y > hill:
                g = 110 + int(60 * math.sin((x + y) / 23.0)) + rnd.randint(-12, 12)
                px[x, y] = (40, max(0, min(255, g)), 50)
            else:
                b = 200 + int(40 * y / h) + rnd.randint(-4, 4)
                px[x, y] = (110 + y * 100 // h, 170 + y * 60 // h, max(0, min(255, b)))
    ImageDraw.Draw(img).ellipse((w - 70, 20, w - 30, 60), fill=(255, 230, 120))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


open("back1.jpg", "wb").write(landscape(82))
icon = Image.new("RGB", (16, 16), (30, 90, 160))
ImageDraw.Draw(icon).rectangle((4, 4, 11, 11), fill=(250, 250, 250))
icon.save("favicon.ico", sizes=[(16, 16)])
