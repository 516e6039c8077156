"""The renderer of the MRZ character images (docs/qnn.md, "Data"); lowbit.qnn.data names the sets and
writes them.

36 classes (0-9, A-Z) rendered in OCR-B (Debian package fonts-ocr-b) as a phone camera would see one
cell of a machine-readable zone: scale / shift / small rotation / perspective jitter, fragments of the
neighbouring characters (including the '<' filler), stroke-weight variation, background texture
(low-frequency blotches and a guilloche-like line pattern), uneven lighting and shadows, optical blur
(Gaussian, sometimes directional), sensor noise and JPEG compression (PIL / libjpeg-turbo).

Output: 32x32 grayscale uint8 images, row-major, dark ink on light paper. (The network stretches
each image's contrast to [0, 1] first: lowbit.qnn.intmodel.normalize.)

Reproducibility: every random number comes from the generator render_chunk is given; all per-pixel
arithmetic is float64 +, -, *, /, floor (no vectorised transcendental functions, whose SIMD variants
differ between CPUs); the few exp/cos/sin values per image come from Python's math module. The glyph
masters are rasterised once by FreeType (through PIL) and the JPEG step uses libjpeg-turbo: the same
bytes need the same FreeType, PIL and libjpeg-turbo versions (lowbit.qnn.data.versions).
"""
import io
import math
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FILLER = "<"
SIZE = 32
FONT_PATH = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"

# Glyph masters: OCR-B at 100 px (cap height ~72 px, advance 72.3 px), pre-blurred against aliasing.
_FONT_PX = 100
_MASTER_W = 112
_MASTER_H = 128
_BASELINE = 100
_CAP_HEIGHT = 72.0
_MASTERS = None


def _gauss_taps(sigma, radius):
    w = [math.exp(-0.5 * (d / sigma) ** 2) for d in range(-radius, radius + 1)]
    s = sum(w)
    return [v / s for v in w]


def _blur_same(img, taps, axis):
    """Separable convolution with edge replication, float64, fixed summation order."""
    r = len(taps) // 2
    pad = [(0, 0)] * img.ndim
    pad[axis] = (r, r)
    p = np.pad(img, pad, mode="edge")
    n = img.shape[axis]
    out = np.zeros_like(img)
    for i, t in enumerate(taps):
        out += t * np.take(p, np.arange(i, i + n), axis=axis)
    return out


def glyph_masters():
    """Coverage masters, shape (37, H, W) float64 in [0, 1]: CLASSES then the '<' filler.
    The advance box of every glyph is centred at column _MASTER_W / 2; baseline at row _BASELINE."""
    global _MASTERS
    if _MASTERS is not None:
        return _MASTERS
    font = ImageFont.truetype(FONT_PATH, _FONT_PX)
    out = []
    for ch in CLASSES + FILLER:
        img = Image.new("L", (_MASTER_W, _MASTER_H), 0)
        adv = font.getlength(ch)
        ImageDraw.Draw(img).text(((_MASTER_W - adv) / 2.0, _BASELINE), ch, font=font, fill=255,
                                 anchor="ls")
        a = np.asarray(img, dtype=np.float64) / 255.0
        taps = _gauss_taps(1.4, 4)
        a = _blur_same(_blur_same(a, taps, 0), taps, 1)
        out.append(a)
    _MASTERS = np.stack(out)
    return _MASTERS


_PITCH = None


def _pitch():
    global _PITCH
    if _PITCH is None:
        _PITCH = ImageFont.truetype(FONT_PATH, _FONT_PX).getlength("0")
    return _PITCH


def _lerp(a, b, t):
    return a + (b - a) * t


# Parameter ranges: (value at severity 0, value at severity 1) for the upper end of a uniform range
# that starts at the given lower end (also interpolated).
def _ranges(t):
    L = lambda lo0, lo1, hi0, hi1: (_lerp(lo0, lo1, t), _lerp(hi0, hi1, t))
    return {
        "scale": L(0.0, 0.0, 0.05, 0.14),     # relative size jitter, +-
        "aspect": L(0.0, 0.0, 0.03, 0.08),    # relative x/y stretch, +-
        "shift": L(0.0, 0.0, 0.8, 2.4),       # output pixels, +-
        "rot": L(0.0, 0.0, 1.5, 5.0),         # degrees, +-
        "shear": L(0.0, 0.0, 0.02, 0.08),     # +-
        "persp": L(0.0, 0.0, 0.002, 0.009),   # per output pixel, +-
        "weight": L(-0.2, -0.4, 0.4, 1.5),    # stroke weight
        "blur": L(0.35, 0.6, 0.7, 1.6),       # Gaussian sigma, output pixels
        "motion": L(0.0, 0.0, 0.0, 2.5),      # directional blur length, pixels
        "noise": L(1.0, 2.5, 3.0, 9.0),       # sensor noise std, grey levels
        "bg": L(190.0, 110.0, 240.0, 225.0),  # paper grey level
        "contrast": L(130.0, 60.0, 200.0, 150.0),  # paper - ink
        "blotch": L(0.0, 4.0, 6.0, 24.0),     # low-frequency background amplitude
        "guilloche": L(0.0, 0.0, 4.0, 16.0),  # line-pattern amplitude
        "gradient": L(0.0, 0.0, 0.05, 0.35),  # lighting gradient across the image
        "shadow": L(0.0, 0.0, 0.0, 0.40),     # shadow depth
        "jpeg": L(80.0, 22.0, 96.0, 65.0),    # JPEG quality
        "cap": L(21.0, 18.0, 24.0, 25.0),     # cap height in output pixels
    }


def _severity(profile, rng, n):
    if profile == "mild":
        return np.zeros(n)
    if profile == "hard":
        return np.ones(n)
    if profile == "mixed":  # density 2t: more of the hard end
        return np.sqrt(rng.uniform(0.0, 1.0, n))
    raise ValueError("unknown profile " + profile)


def _draw_parameters(profile, rng, n):
    """Per-image parameters of a chunk, drawn in a fixed order (the order fixes the bytes)."""
    t = _severity(profile, rng, n)
    P = _ranges(t)  # each entry: (lower ends, upper ends), arrays of n
    u = lambda key: rng.uniform(0.0, 1.0, n) * (P[key][1] - P[key][0]) + P[key][0]
    su = lambda key: rng.uniform(-1.0, 1.0, n) * P[key][1]  # symmetric +- upper end
    p = SimpleNamespace(t=t)
    p.scale = 1.0 + su("scale")
    p.aspect = 1.0 + su("aspect")
    p.shift_x, p.shift_y = su("shift"), su("shift")
    p.rot = su("rot")
    p.shear = su("shear")
    p.px, p.py = su("persp"), su("persp")
    p.weight = u("weight")
    p.blur = u("blur")
    p.motion = rng.uniform(0.0, 1.0, n) * P["motion"][1] * (rng.uniform(0, 1, n) < 0.4)
    p.motion_angle = rng.uniform(0.0, math.pi, n)
    p.noise = u("noise")
    p.bg = u("bg")
    p.contrast = u("contrast")
    p.blotch = u("blotch")
    p.guilloche = u("guilloche")
    p.g_freq = rng.uniform(0.25, 0.7, n)
    p.g_angle = rng.uniform(0.0, math.pi, n)
    p.g_phase = rng.uniform(0.0, 1.0, n)
    p.gradient = u("gradient")
    p.grad_angle = rng.uniform(0.0, 2 * math.pi, n)
    p.shadow = u("shadow") * (rng.uniform(0, 1, n) < 0.5)
    p.shadow_angle = rng.uniform(0.0, 2 * math.pi, n)
    p.shadow_pos = rng.uniform(-0.8, 0.8, n)
    p.shadow_soft = rng.uniform(0.05, 0.5, n)
    p.quality = np.floor(u("jpeg")).astype(np.int64)
    p.use_jpeg = rng.uniform(0, 1, n) < np.where(t > 0.3, 1.0, 0.6)
    p.cap = u("cap")
    neighbour = rng.integers(0, len(CLASSES) + 1, size=(n, 2))  # last index = '<'
    filler_bias = rng.uniform(0, 1, (n, 2)) < 0.3  # MRZ lines are full of '<'
    p.neighbour = np.where(filler_bias, len(CLASSES), neighbour)
    p.blotch_grid = rng.standard_normal((n, 5, 5))
    p.grain = rng.standard_normal((n, SIZE, SIZE))
    return p


def _pixel_grid():
    """Output pixel centres, centred coordinates: (oy, ox), each (32, 32)."""
    c = (np.arange(SIZE, dtype=np.float64) + 0.5) - SIZE / 2.0
    return np.meshgrid(c, c, indexing="ij")


def _sampling_map(p):
    """Output pixel (centred coords) -> master coords (char centre origin), a homography: (mx, my)."""
    oy, ox = _pixel_grid()
    k = _CAP_HEIGHT / p.cap / p.scale  # master px per output px
    cos_r = np.array([math.cos(math.radians(r)) for r in p.rot])
    sin_r = np.array([math.sin(math.radians(r)) for r in p.rot])
    kx = (k * p.aspect)[:, None, None]
    ky = (k / p.aspect)[:, None, None]
    X = ox[None] - p.shift_x[:, None, None]
    Y = oy[None] - p.shift_y[:, None, None]
    den = 1.0 + p.px[:, None, None] * X + p.py[:, None, None] * Y
    Xr = (cos_r[:, None, None] * X - sin_r[:, None, None] * Y + p.shear[:, None, None] * Y) / den
    Yr = (sin_r[:, None, None] * X + cos_r[:, None, None] * Y) / den
    return Xr * kx + _MASTER_W / 2.0, Yr * ky + (_BASELINE - _CAP_HEIGHT / 2.0)


def _sample(masters, glyph, x, y):
    """Bilinear samples of the masters `glyph` (one per image) at (x, y); zero outside."""
    x0 = np.floor(x - 0.5)
    y0 = np.floor(y - 0.5)
    fx = x - 0.5 - x0
    fy = y - 0.5 - y0
    x0 = x0.astype(np.int64)
    y0 = y0.astype(np.int64)
    out = np.zeros_like(x)
    for dy, wy in ((0, 1.0 - fy), (1, fy)):
        for dx, wx in ((0, 1.0 - fx), (1, fx)):
            xi = x0 + dx
            yi = y0 + dy
            ok = (xi >= 0) & (xi < _MASTER_W) & (yi >= 0) & (yi < _MASTER_H)
            v = masters[glyph[:, None, None], np.clip(yi, 0, _MASTER_H - 1),
                        np.clip(xi, 0, _MASTER_W - 1)]
            out += np.where(ok, v, 0.0) * (wx * wy)
    return out


def _ink(p, labels):
    """Ink coverage in [0, 1]: the character, fragments of both neighbours, stroke weight."""
    masters = glyph_masters()
    pitch = _pitch()
    mx, my = _sampling_map(p)
    ink = _sample(masters, labels, mx, my)
    ink = ink + _sample(masters, p.neighbour[:, 0], mx + pitch, my)
    ink = ink + _sample(masters, p.neighbour[:, 1], mx - pitch, my)
    ink = np.clip(ink, 0.0, 1.0)
    w = p.weight[:, None, None]
    return ink * (1.0 + w) / (1.0 + w * ink)


def _print_on_paper(p, ink):
    """Paper: base level, blotches (bilinear upsampling of a 5x5 grid), guilloche triangle waves;
    the ink on it."""
    oy, ox = _pixel_grid()
    gx = (np.arange(SIZE, dtype=np.float64) + 0.5) / SIZE * 4.0  # grid coords 0..4
    g0 = np.minimum(np.floor(gx).astype(np.int64), 3)
    gf = gx - g0
    B = p.blotch_grid
    rows = B[:, g0, :] * (1 - gf)[None, :, None] + B[:, g0 + 1, :] * gf[None, :, None]
    blot = rows[:, :, g0] * (1 - gf)[None, None, :] + rows[:, :, g0 + 1] * gf[None, None, :]
    ca = np.array([math.cos(a) for a in p.g_angle])[:, None, None]
    sa = np.array([math.sin(a) for a in p.g_angle])[:, None, None]
    ph = p.g_freq[:, None, None] * (ca * ox[None] + sa * oy[None]) / 2.0 + p.g_phase[:, None, None]
    ph2 = p.g_freq[:, None, None] * (sa * ox[None] - ca * oy[None]) / 2.6 + p.g_phase[:, None, None]
    tri = lambda ph: 2.0 * np.abs(ph - np.floor(ph) - 0.5)  # triangle wave in [0, 1]
    guil = (tri(ph) + tri(ph2)) - 1.0
    paper = p.bg[:, None, None] + p.blotch[:, None, None] * blot / 2.0 + p.guilloche[:, None, None] * guil
    ink_level = (p.bg - p.contrast)[:, None, None]
    return paper * (1.0 - ink) + ink_level * ink


def _optics(p, img):
    """Gaussian blur (per-image taps), then an optional directional blur; in place."""
    for i in range(len(img)):
        taps = _gauss_taps(p.blur[i], 4)
        img[i] = _blur_same(_blur_same(img[i], taps, 0), taps, 1)
        if p.motion[i] > 0.5:
            steps = int(math.ceil(p.motion[i])) * 2 + 1
            dx = math.cos(p.motion_angle[i]) * p.motion[i]
            dy = math.sin(p.motion_angle[i]) * p.motion[i]
            acc = np.zeros((SIZE, SIZE))
            for s in range(steps):
                f = s / (steps - 1) - 0.5
                acc += _shift_bilinear(img[i], f * dx, f * dy)
            img[i] = acc / steps


def _lighting_and_noise(p, img):
    """A linear lighting gradient and a soft-edged shadow (multiplicative), sensor noise; uint8."""
    oy, ox = _pixel_grid()
    xn = ox / (SIZE / 2.0)
    yn = oy / (SIZE / 2.0)
    gc = np.array([math.cos(a) for a in p.grad_angle])[:, None, None]
    gs = np.array([math.sin(a) for a in p.grad_angle])[:, None, None]
    light = 1.0 + p.gradient[:, None, None] * (gc * xn[None] + gs * yn[None]) / 2.0
    sc = np.array([math.cos(a) for a in p.shadow_angle])[:, None, None]
    ss = np.array([math.sin(a) for a in p.shadow_angle])[:, None, None]
    d = (sc * xn[None] + ss * yn[None] - p.shadow_pos[:, None, None]) / p.shadow_soft[:, None, None]
    light = light * (1.0 - p.shadow[:, None, None] * np.clip(d + 0.5, 0.0, 1.0))
    img = img * light + p.noise[:, None, None] * p.grain
    return np.floor(np.clip(img, 0.0, 255.0) + 0.5).astype(np.uint8)


def _jpeg_round_trip(p, img):
    """JPEG compression of the chosen images (4:4:4 is moot for grey; libjpeg-turbo's default islow
    DCT); in place."""
    for i in range(len(img)):
        if p.use_jpeg[i]:
            buf = io.BytesIO()
            Image.fromarray(img[i], mode="L").save(buf, format="JPEG", quality=int(p.quality[i]))
            buf.seek(0)
            img[i] = np.asarray(Image.open(buf).convert("L"), dtype=np.uint8)


def render_chunk(profile, seed, chunk_index, n, labels):
    """n images of the given labels, uint8 (n, 32, 32), from PCG64 seeded with
    SeedSequence([seed, chunk_index])."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, chunk_index])))
    p = _draw_parameters(profile, rng, n)
    img = _print_on_paper(p, _ink(p, labels))
    _optics(p, img)
    img = _lighting_and_noise(p, img)
    _jpeg_round_trip(p, img)
    return img


def _shift_bilinear(a, dx, dy):
    """a sampled at (x + dx, y + dy), edges replicated."""
    h, w = a.shape
    ys = np.clip(np.arange(h) + dy, 0, h - 1)
    xs = np.clip(np.arange(w) + dx, 0, w - 1)
    y0 = np.minimum(np.floor(ys).astype(np.int64), h - 2)
    x0 = np.minimum(np.floor(xs).astype(np.int64), w - 2)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    r = a[y0, :] * (1 - fy) + a[y0 + 1, :] * fy
    return r[:, x0] * (1 - fx) + r[:, x0 + 1] * fx
