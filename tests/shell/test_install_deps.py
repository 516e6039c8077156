"""scripts/install-deps.sh --dry-run: the package set for each Debian architecture."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-deps.sh"


def dry_run(*args: str) -> dict[str, list[str]]:
    """The printed groups: {"required": [...], "optional": [...], "skipped": [lines], ...}."""
    out = subprocess.run([str(SCRIPT), "--dry-run", *args], check=True, capture_output=True, text=True).stdout
    groups: dict[str, list[str]] = {}
    for line in out.splitlines():
        key, _, value = line.partition(": ")
        if key == "skipped":
            groups.setdefault(key, []).append(value)
        else:
            groups[key] = value.split()
    return groups


@pytest.mark.parametrize("arch", ["amd64", "arm64", "armhf"])
def test_every_architecture_gets_the_build_and_reproduce_set(arch):
    groups = dry_run("--arch", arch)
    assert groups["architecture"] == [arch]
    for package in ("g++", "cmake", "libeigen3-dev", "libgemmlowp-dev", "libbenchmark-dev", "libgtest-dev",
                    "python3-numpy", "fonts-ocr-b", "dataset-fashion-mnist"):
        assert package in groups["required"]
    assert {"libxnnpack-dev", "libpthreadpool-dev", "libcpuinfo-dev"} <= set(groups["optional"])


def test_onednn_is_optional_where_debian_has_it_and_skipped_with_a_reason_on_armhf():
    assert "libdnnl-dev" in dry_run("--arch", "amd64")["optional"]
    assert "libdnnl-dev" in dry_run("--arch", "arm64")["optional"]
    armhf = dry_run("--arch", "armhf")
    assert "libdnnl-dev" not in armhf["optional"] + armhf["required"]
    assert any(line.startswith("libdnnl-dev (oneDNN is not packaged for armhf") for line in armhf["skipped"])


def test_cross_compilers_and_target_libraries_only_for_tests_on_amd64():
    amd64 = dry_run("--arch", "amd64", "--test")
    assert {"qemu-user", "valgrind", "g++-arm-linux-gnueabihf", "g++-aarch64-linux-gnu",
            "libbenchmark-dev:armhf", "libgtest-dev:armhf", "libbenchmark-dev:arm64",
            "libgtest-dev:arm64"} <= set(amd64["required"])
    assert amd64["foreign architectures"] == ["armhf", "arm64"]
    # Not co-installable with the amd64 packages: never from apt (scripts/cross-sysroot.sh).
    assert not [p for p in amd64["required"] + amd64["optional"] if p.startswith(("libxnnpack-dev:", "libcpuinfo-dev:"))]
    for arch in ("arm64", "armhf"):
        board = dry_run("--arch", arch, "--test")
        assert {"qemu-user", "valgrind"} <= set(board["required"])
        assert not [p for p in board["required"] if p.startswith("g++-") or ":" in p]
        assert "foreign architectures" not in board
    assert "g++-arm-linux-gnueabihf" not in dry_run("--arch", "amd64")["required"]


def test_torch_where_debian_packages_it():
    for arch in ("amd64", "arm64"):
        assert "python3-torch" in dry_run("--arch", arch)["required"]
    armhf = dry_run("--arch", "armhf")
    assert "python3-torch" not in armhf["required"]
    assert any(line.startswith("python3-torch (PyTorch is not packaged for armhf") for line in armhf["skipped"])
    result = subprocess.run([str(SCRIPT), "--dry-run", "--arch", "armhf", "--train"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "python3-torch, which Debian does not package for armhf" in result.stderr


@pytest.mark.parametrize("args", [["--dry-run", "--arch", "i386"], ["--frobnicate"]])
def test_bad_arguments_exit_2(args):
    result = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True)
    assert result.returncode == 2
    assert "install-deps.sh:" in result.stderr


def test_another_architecture_is_never_installed_only_printed():
    host = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    other = "armhf" if host != "armhf" else "arm64"
    result = subprocess.run([str(SCRIPT), "--arch", other], capture_output=True, text=True)
    assert result.returncode == 2
    assert "only with --dry-run" in result.stderr
