"""The architectures instructions are counted for, and finding the tools that count them."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from typing import List

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_MISSING = 0, 1, 2, 3
DRIVER = "icount-driver"
CELL_TIMEOUT_S = 900

ARCHES = {
    "x86": {
        "toolchain": None, "compiler": "g++", "package": "g++", "qemu": "qemu-x86_64", "sysroot": None, "deb_arch": None,
        "qemu_cpu": "Haswell", "isa": "avx2", "tool": "callgrind",
        "fallback_toolchain": None,
    },
    "armv7": {
        "toolchain": "cmake/toolchains/armv7-linux-gnueabihf.cmake", "compiler": "arm-linux-gnueabihf-g++",
        "package": "g++-arm-linux-gnueabihf",
        "qemu": "qemu-arm", "sysroot": "/usr/arm-linux-gnueabihf", "deb_arch": "armhf", "qemu_cpu": "cortex-a15", "isa": "",
        "tool": "qemu",
        "fallback_toolchain": ("armv7l", "arm-linux-gnueabihf",
                               "-march=armv7-a -mfpu=neon -mfloat-abi=hard -mtune=cortex-a15"),
    },
    "aarch64": {
        "toolchain": "cmake/toolchains/aarch64-linux-gnu.cmake", "compiler": "aarch64-linux-gnu-g++",
        "package": "g++-aarch64-linux-gnu",
        "qemu": "qemu-aarch64", "sysroot": "/usr/aarch64-linux-gnu", "deb_arch": "arm64", "qemu_cpu": "cortex-a76", "isa": "",
        "tool": "qemu",
        "fallback_toolchain": ("aarch64", "aarch64-linux-gnu", ""),
    },
}

class Missing(Exception):
    """A tool the count needs is not installed."""


class Failure(Exception):
    """The build or the driver failed in a way that is not a wrong result."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def first_line(command: List[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else ""


def require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise Missing(f"{tool} not found (Debian package {package}; scripts/install-deps.sh --test)")
    return path


def default_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "x86", "amd64": "x86", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        machine, "armv7" if machine.startswith("arm") else "x86")
