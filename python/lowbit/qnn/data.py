"""`lowbit qnn-data`: deterministic generator of MRZ character images for the QNN test (docs/qnn.md, "Data").

The named sets of MRZ character images (36 classes, 0-9 and A-Z, 32x32 grayscale uint8, dark ink on
light paper), rendered by lowbit.qnn.render, and their .qnnd files.

Reproducibility: every random number comes from numpy's PCG64 seeded explicitly with
SeedSequence([set_seed, chunk_index]) (no global RNG state; chunks of CHUNK images, so the bytes do not
depend on how the work is split). The bytes also depend on the FreeType, PIL and libjpeg-turbo
versions (recorded by `versions()`; see docs/qnn.md for the ones the digests were taken with).

Sets (name: profile, seed, size):
  train      mixed severity sqrt(U(0, 1)), seed 1001, 36000 images (cached by `lowbit qnn-train`)
  val        mixed severity sqrt(U(0, 1)), seed 1002,  3600 images
  calib      mixed severity sqrt(U(0, 1)), seed 1003,  1800 images (activation ranges)
  val-hard   camera-like (severity 1), seed 1004,  3600 images (QNN-FXP's val-hard search set)
  synthetic  mild (severity 0),        seed 2001,  3600 images (100 per class)
  hard       camera-like (severity 1), seed 2002,  3600 images (100 per class)

Dataset file (.qnnd, little-endian), read by qnn::load_dataset():
  char[8] magic "QNNDATA1"; u32 version = 1; u32 count; u32 height; u32 width; u32 num_classes;
  u32 name_length; char name[name_length]; u8 labels[count]; u8 images[count][height][width].
"""
import hashlib
import os
import struct
import sys
import time

import numpy as np
from PIL import Image

from lowbit.paths import REPO_ROOT
from lowbit.qnn.render import CLASSES, SIZE, render_chunk

CHUNK = 256
DATASET_MAGIC = b"QNNDATA1"
DATASET_VERSION = 1

SETS = {
    #  name        profile   seed  count
    "train": ("mixed", 1001, 36000),
    "val": ("mixed", 1002, 3600),
    "calib": ("mixed", 1003, 1800),
    "val-hard": ("hard", 1004, 3600),
    "synthetic": ("mild", 2001, 3600),
    "hard": ("hard", 2002, 3600),
}
TEST_SETS = ("synthetic", "hard")


def versions():
    from PIL import features
    import PIL
    return {
        "numpy": np.__version__,
        "PIL": PIL.__version__,
        "freetype2": features.version("freetype2"),
        "libjpeg_turbo": features.version("libjpeg_turbo"),
    }


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
        images[start:start + n] = render_chunk(profile, seed, ci, n, lab.astype(np.int64))
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


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("qnn-data", help="generate the QNN test sets (models/data/*.qnnd)",
                                   description="Deterministic generator of MRZ character images for "
                                               "the QNN test (docs/qnn.md, \"Data\").")
    parser.add_argument("--out", default=str(REPO_ROOT / "models" / "data"),
                        help="directory for mrz-<set>.qnnd (default models/data, git-ignored)")
    parser.add_argument("--sets", default=",".join(TEST_SETS), help="comma-separated set names")
    parser.add_argument("--count", type=int, default=None, help="override the set size (testing)")
    parser.add_argument("--preview", default=None, help="write a PNG contact sheet of each set here")
    parser.set_defaults(func=run)


def write_preview(directory, name, images):
    """A contact sheet of the first 192 images, 3x enlarged."""
    os.makedirs(directory, exist_ok=True)
    k = min(len(images), 16 * 12)
    sheet = images[:k].reshape(12, 16, SIZE, SIZE).transpose(0, 2, 1, 3).reshape(12 * SIZE, 16 * SIZE)
    Image.fromarray(sheet).resize((16 * SIZE * 3, 12 * SIZE * 3), Image.NEAREST).save(
        os.path.join(directory, f"mrz-{name}.png"))


def run(args):
    os.makedirs(args.out, exist_ok=True)
    for name in args.sets.split(","):
        t0 = time.time()
        images, labels = generate(name, count=args.count)
        path = os.path.join(args.out, f"mrz-{name}.qnnd")
        write_dataset(path, name, images, labels)
        digest = hashlib.sha256(dataset_bytes(name, images, labels)).hexdigest()
        print(f"{path}: {len(labels)} images in {time.time() - t0:.1f} s, sha256 {digest}")
        if args.preview:
            write_preview(args.preview, name, images)
    print("versions:", versions(), file=sys.stderr)
    return 0
