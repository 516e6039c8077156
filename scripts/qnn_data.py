#!/usr/bin/python3
"""Deterministic generator of MRZ character images for the QNN test (docs/qnn.md, "Data").

36 classes (0-9, A-Z) rendered in OCR-B (Debian package fonts-ocr-b) as a phone camera would see one
cell of a machine-readable zone: scale / shift / small rotation / perspective jitter, fragments of the
neighbouring characters (including the '<' filler), stroke-weight variation, background texture
(low-frequency blotches and a guilloche-like line pattern), uneven lighting and shadows, optical blur
(Gaussian, sometimes directional), sensor noise and JPEG compression (PIL / libjpeg-turbo).

Output: 32x32 grayscale uint8 images, row-major, dark ink on light paper. (The network stretches
each image's contrast to [0, 1] first: scripts/qnn_intmodel.py, normalize().)

Reproducibility: every random number comes from numpy's PCG64 seeded explicitly with
SeedSequence([set_seed, chunk_index]) (no global RNG state; chunks of CHUNK images, so the bytes do not
depend on how the work is split). All per-pixel arithmetic is float64 +, -, *, /, floor (no
vectorised transcendental functions, whose SIMD variants differ between CPUs); the few exp/cos/sin
values per image come from Python's math module. The glyph masters are rasterised once by FreeType
(through PIL) and the JPEG step uses libjpeg-turbo: the same bytes need the same FreeType, PIL and
libjpeg-turbo versions (recorded by `versions()`; see docs/qnn.md for the ones the digests were
taken with).

Sets (name: profile, seed, size):
  train      mixed severity sqrt(U(0, 1)), seed 1001, 36000 images (cached by qnn_train.py)
  val        mixed severity sqrt(U(0, 1)), seed 1002,  3600 images
  calib      mixed severity sqrt(U(0, 1)), seed 1003,  1800 images (activation ranges)
  synthetic  mild (severity 0),        seed 2001,  3600 images (100 per class)
  hard       camera-like (severity 1), seed 2002,  3600 images (100 per class)

Dataset file (.qnnd, little-endian), read by qnn::load_dataset():
  char[8] magic "QNNDATA1"; u32 version = 1; u32 count; u32 height; u32 width; u32 num_classes;
  u32 name_length; char name[name_length]; u8 labels[count]; u8 images[count][height][width].
"""
import argparse
import hashlib
import io
import math
import os
import struct
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FILLER = "<"
SIZE = 32
CHUNK = 256
FONT_PATH = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
DATASET_MAGIC = b"QNNDATA1"
DATASET_VERSION = 1

SETS = {
    #  name        profile   seed  count
    "train": ("mixed", 1001, 36000),
    "val": ("mixed", 1002, 3600),
    "calib": ("mixed", 1003, 1800),
    "synthetic": ("mild", 2001, 3600),
    "hard": ("hard", 2002, 3600),
}
TEST_SETS = ("synthetic", "hard")

# Glyph masters: OCR-B at 100 px (cap height ~72 px, advance 72.3 px), pre-blurred against aliasing.
_FONT_PX = 100
_MASTER_W = 112
_MASTER_H = 128
_BASELINE = 100
_CAP_HEIGHT = 72.0
_MASTERS = None


def versions():
    from PIL import features
    import PIL
    return {
        "numpy": np.__version__,
        "PIL": PIL.__version__,
        "freetype2": features.version("freetype2"),
        "libjpeg_turbo": features.version("libjpeg_turbo"),
    }


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


def _render_chunk(profile, seed, chunk_index, n, labels):
    """n images of the given labels, uint8 (n, 32, 32)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, chunk_index])))
    masters = glyph_masters()
    pitch = _pitch()
    t = _severity(profile, rng, n)
    # Per-image parameters, drawn in a fixed order.
    P = _ranges(t)  # each entry: (lower ends, upper ends), arrays of n
    u = lambda key: rng.uniform(0.0, 1.0, n) * (P[key][1] - P[key][0]) + P[key][0]
    su = lambda key: rng.uniform(-1.0, 1.0, n) * P[key][1]  # symmetric +- upper end
    scale = 1.0 + su("scale")
    aspect = 1.0 + su("aspect")
    shift_x, shift_y = su("shift"), su("shift")
    rot = su("rot")
    shear = su("shear")
    px_, py_ = su("persp"), su("persp")
    weight = u("weight")
    blur = u("blur")
    motion = rng.uniform(0.0, 1.0, n) * P["motion"][1] * (rng.uniform(0, 1, n) < 0.4)
    motion_angle = rng.uniform(0.0, math.pi, n)
    noise = u("noise")
    bg = u("bg")
    contrast = u("contrast")
    blotch = u("blotch")
    guilloche = u("guilloche")
    g_freq = rng.uniform(0.25, 0.7, n)
    g_angle = rng.uniform(0.0, math.pi, n)
    g_phase = rng.uniform(0.0, 1.0, n)
    gradient = u("gradient")
    grad_angle = rng.uniform(0.0, 2 * math.pi, n)
    shadow = u("shadow") * (rng.uniform(0, 1, n) < 0.5)
    shadow_angle = rng.uniform(0.0, 2 * math.pi, n)
    shadow_pos = rng.uniform(-0.8, 0.8, n)
    shadow_soft = rng.uniform(0.05, 0.5, n)
    quality = np.floor(u("jpeg")).astype(np.int64)
    use_jpeg = rng.uniform(0, 1, n) < np.where(t > 0.3, 1.0, 0.6)
    cap = u("cap")
    neighbour = rng.integers(0, len(CLASSES) + 1, size=(n, 2))  # last index = '<'
    filler_bias = rng.uniform(0, 1, (n, 2)) < 0.3  # MRZ lines are full of '<'
    neighbour = np.where(filler_bias, len(CLASSES), neighbour)
    blotch_grid = rng.standard_normal((n, 5, 5))
    grain = rng.standard_normal((n, SIZE, SIZE))

    # Sampling map: output pixel (centred coords) -> master coords (char centre origin), a homography.
    c = (np.arange(SIZE, dtype=np.float64) + 0.5) - SIZE / 2.0
    oy, ox = np.meshgrid(c, c, indexing="ij")  # (32, 32)
    k = _CAP_HEIGHT / cap / scale  # master px per output px
    cos_r = np.array([math.cos(math.radians(r)) for r in rot])
    sin_r = np.array([math.sin(math.radians(r)) for r in rot])
    kx = (k * aspect)[:, None, None]
    ky = (k / aspect)[:, None, None]
    X = ox[None] - shift_x[:, None, None]
    Y = oy[None] - shift_y[:, None, None]
    den = 1.0 + px_[:, None, None] * X + py_[:, None, None] * Y
    Xr = (cos_r[:, None, None] * X - sin_r[:, None, None] * Y + shear[:, None, None] * Y) / den
    Yr = (sin_r[:, None, None] * X + cos_r[:, None, None] * Y) / den
    mx = Xr * kx + _MASTER_W / 2.0
    my = Yr * ky + (_BASELINE - _CAP_HEIGHT / 2.0)

    def sample(glyph, x, y):
        # bilinear, zero outside
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

    ink = sample(labels, mx, my)
    ink = ink + sample(neighbour[:, 0], mx + pitch, my)
    ink = ink + sample(neighbour[:, 1], mx - pitch, my)
    ink = np.clip(ink, 0.0, 1.0)
    w = weight[:, None, None]
    ink = ink * (1.0 + w) / (1.0 + w * ink)

    # Paper: base level, blotches (bilinear upsampling of a 5x5 grid), guilloche triangle waves.
    gx = (np.arange(SIZE, dtype=np.float64) + 0.5) / SIZE * 4.0  # grid coords 0..4
    g0 = np.minimum(np.floor(gx).astype(np.int64), 3)
    gf = gx - g0
    B = blotch_grid
    rows = B[:, g0, :] * (1 - gf)[None, :, None] + B[:, g0 + 1, :] * gf[None, :, None]
    blot = rows[:, :, g0] * (1 - gf)[None, None, :] + rows[:, :, g0 + 1] * gf[None, None, :]
    ca = np.array([math.cos(a) for a in g_angle])[:, None, None]
    sa = np.array([math.sin(a) for a in g_angle])[:, None, None]
    ph = g_freq[:, None, None] * (ca * ox[None] + sa * oy[None]) / 2.0 + g_phase[:, None, None]
    ph2 = g_freq[:, None, None] * (sa * ox[None] - ca * oy[None]) / 2.6 + g_phase[:, None, None]
    tri = lambda p: 2.0 * np.abs(p - np.floor(p) - 0.5)  # triangle wave in [0, 1]
    guil = (tri(ph) + tri(ph2)) - 1.0
    paper = bg[:, None, None] + blotch[:, None, None] * blot / 2.0 + guilloche[:, None, None] * guil
    ink_level = (bg - contrast)[:, None, None]
    img = paper * (1.0 - ink) + ink_level * ink

    # Optics: Gaussian blur (per-image taps), then an optional directional blur.
    for i in range(n):
        taps = _gauss_taps(blur[i], 4)
        img[i] = _blur_same(_blur_same(img[i], taps, 0), taps, 1)
        if motion[i] > 0.5:
            steps = int(math.ceil(motion[i])) * 2 + 1
            dx = math.cos(motion_angle[i]) * motion[i]
            dy = math.sin(motion_angle[i]) * motion[i]
            acc = np.zeros((SIZE, SIZE))
            for s in range(steps):
                f = s / (steps - 1) - 0.5
                acc += _shift_bilinear(img[i], f * dx, f * dy)
            img[i] = acc / steps

    # Lighting: linear gradient and a soft-edged shadow, multiplicative.
    xn = ox / (SIZE / 2.0)
    yn = oy / (SIZE / 2.0)
    gc = np.array([math.cos(a) for a in grad_angle])[:, None, None]
    gs = np.array([math.sin(a) for a in grad_angle])[:, None, None]
    light = 1.0 + gradient[:, None, None] * (gc * xn[None] + gs * yn[None]) / 2.0
    sc = np.array([math.cos(a) for a in shadow_angle])[:, None, None]
    ss = np.array([math.sin(a) for a in shadow_angle])[:, None, None]
    d = (sc * xn[None] + ss * yn[None] - shadow_pos[:, None, None]) / shadow_soft[:, None, None]
    light = light * (1.0 - shadow[:, None, None] * np.clip(d + 0.5, 0.0, 1.0))
    img = img * light + noise[:, None, None] * grain
    img = np.floor(np.clip(img, 0.0, 255.0) + 0.5).astype(np.uint8)

    # JPEG round trip (4:4:4 is moot for grey; libjpeg-turbo's default islow DCT).
    for i in range(n):
        if use_jpeg[i]:
            buf = io.BytesIO()
            Image.fromarray(img[i], mode="L").save(buf, format="JPEG", quality=int(quality[i]))
            buf.seek(0)
            img[i] = np.asarray(Image.open(buf).convert("L"), dtype=np.uint8)
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


def generate(name=None, profile=None, seed=None, count=None):
    """(images uint8 (count, 32, 32), labels uint8 (count,)) of a named set, or of an explicit one."""
    if name is not None:
        profile, seed, default_count = SETS[name]
        count = default_count if count is None else count
    images = np.empty((count, SIZE, SIZE), np.uint8)
    labels = np.empty(count, np.uint8)
    for ci, start in enumerate(range(0, count, CHUNK)):
        n = min(CHUNK, count - start)
        lrng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, ci, 7])))
        if profile == "mixed":
            lab = lrng.integers(0, len(CLASSES), n)
        else:  # balanced test sets: class = index mod 36
            lab = np.arange(start, start + n) % len(CLASSES)
        labels[start:start + n] = lab
        images[start:start + n] = _render_chunk(profile, seed, ci, n, lab.astype(np.int64))
    return images, labels


def dataset_bytes(name, images, labels):
    n, h, w = images.shape
    nm = name.encode()
    head = DATASET_MAGIC + struct.pack("<6I", DATASET_VERSION, n, h, w, len(CLASSES), len(nm)) + nm
    return head + labels.astype(np.uint8).tobytes() + images.astype(np.uint8).tobytes()


def write_dataset(path, name, images, labels):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(dataset_bytes(name, images, labels))
    os.replace(tmp, path)


def read_dataset(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != DATASET_MAGIC:
        raise ValueError(f"{path}: not a QNN dataset (bad magic)")
    version, n, h, w, classes, nl = struct.unpack_from("<6I", data, 8)
    if version != DATASET_VERSION:
        raise ValueError(f"{path}: dataset version {version}, expected {DATASET_VERSION}")
    o = 8 + 24
    name = data[o:o + nl].decode()
    o += nl
    if len(data) != o + n + n * h * w:
        raise ValueError(f"{path}: truncated or oversized dataset file")
    labels = np.frombuffer(data, np.uint8, n, o)
    images = np.frombuffer(data, np.uint8, n * h * w, o + n).reshape(n, h, w)
    return name, images, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models", "data"),
                    help="directory for mrz-<set>.qnnd (default models/data, git-ignored)")
    ap.add_argument("--sets", default=",".join(TEST_SETS), help="comma-separated set names")
    ap.add_argument("--count", type=int, default=None, help="override the set size (testing)")
    ap.add_argument("--preview", default=None, help="write a PNG contact sheet of each set here")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.sets.split(","):
        t0 = time.time()
        images, labels = generate(name, count=args.count)
        path = os.path.join(args.out, f"mrz-{name}.qnnd")
        write_dataset(path, name, images, labels)
        digest = hashlib.sha256(dataset_bytes(name, images, labels)).hexdigest()
        print(f"{path}: {len(labels)} images in {time.time() - t0:.1f} s, sha256 {digest}")
        if args.preview:
            os.makedirs(args.preview, exist_ok=True)
            k = min(len(images), 16 * 12)
            sheet = images[:k].reshape(12, 16, SIZE, SIZE).transpose(0, 2, 1, 3).reshape(
                12 * SIZE, 16 * SIZE)
            Image.fromarray(sheet).resize((16 * SIZE * 3, 12 * SIZE * 3), Image.NEAREST).save(
                os.path.join(args.preview, f"mrz-{name}.png"))
    print("versions:", versions(), file=sys.stderr)


if __name__ == "__main__":
    main()
