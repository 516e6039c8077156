"""Building the counting driver (tools/icount/, with CMake, for the target) and the qemu plugin
(for the host)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import List, Optional

from lowbit.icount.tools import ARCHES, Failure, Missing, log, require
from lowbit.paths import REPO_ROOT as ROOT


def target_libraries(arch: str) -> List[str]:
    """The target's libraries that are not header-only (zlib, linked statically into qnn), unpacked
    by scripts/cross-sysroot.sh into the folder the toolchain files search."""
    deb_arch = ARCHES[arch]["deb_arch"]
    if deb_arch is None:
        return []
    sysroot = ROOT / "build" / f"sysroot-{deb_arch}"
    run_logged([str(ROOT / "scripts" / "cross-sysroot.sh"), deb_arch, str(sysroot)], "cross-sysroot.sh")
    return [f"-DLOWBIT_CROSS_SYSROOT={sysroot}"]


def toolchain_args(arch: str, build_dir: Path) -> List[str]:
    spec = ARCHES[arch]
    if spec["toolchain"] is None:
        return []
    toolchain = ROOT / spec["toolchain"]
    if not toolchain.exists():  # not yet in this checkout: equivalent settings of our own
        processor, triple, flags = spec["fallback_toolchain"]
        toolchain = build_dir / "icount-toolchain.cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        toolchain.write_text(
            "set(CMAKE_SYSTEM_NAME Linux)\n"
            f"set(CMAKE_SYSTEM_PROCESSOR {processor})\n"
            f"set(CMAKE_C_COMPILER {triple}-gcc)\nset(CMAKE_CXX_COMPILER {triple}-g++)\n"
            f"set(CMAKE_C_FLAGS_INIT \"{flags}\")\nset(CMAKE_CXX_FLAGS_INIT \"{flags}\")\n"
            f"set(CMAKE_FIND_ROOT_PATH /usr/{triple})\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\nset(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
            "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\nset(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n")
    return [f"-DCMAKE_TOOLCHAIN_FILE={toolchain}", *target_libraries(arch)]


def run_logged(command: List[str], what: str, cwd: Optional[Path] = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        raise Failure(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{tail}")


def build(arch: str, build_dir: Path, jobs: int) -> None:
    require("cmake", "cmake")
    require(ARCHES[arch]["compiler"], ARCHES[arch]["package"])
    started = time.monotonic()
    if not (build_dir / "CMakeCache.txt").exists():
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        log(f"icount: configuring {arch} build in {build_dir}")
        run_logged(["cmake", "-S", str(ROOT / "tools" / "icount"), "-B", str(build_dir), *generator,
                    "-DCMAKE_BUILD_TYPE=Release", *toolchain_args(arch, build_dir)], "cmake configure")
    log(f"icount: building {build_dir} ({jobs} jobs)")
    run_logged(["cmake", "--build", str(build_dir), "-j", str(jobs)], "cmake --build")
    log(f"icount: build done in {time.monotonic() - started:.0f} s")


def build_plugin(build_dir: Path) -> Path:
    """The qemu plugin is loaded by the host's qemu: always compiled for the host."""
    source = ROOT / "tools" / "icount" / "qemu_icount.c"
    plugin = build_dir / "qemu_icount.so"
    if plugin.exists() and plugin.stat().st_mtime >= source.stat().st_mtime:
        return plugin
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise Missing("no host C compiler (cc) to build the qemu plugin (Debian package gcc)")
    build_dir.mkdir(parents=True, exist_ok=True)
    run_logged([cc, "-O2", "-std=gnu11", "-Wall", "-Wextra", "-shared", "-fPIC", "-fvisibility=hidden",
                "-o", str(plugin), str(source)], "building the qemu plugin")
    return plugin
