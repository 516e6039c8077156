"""scripts/pick-core.sh on fake sysfs and /proc/cpuinfo trees: a core of the fastest cluster."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pick-core.sh"

# ODROID-XU4 (Exynos 5422): cores 0-3 Cortex-A7 (part 0xc07) at 1.4 GHz, 4-7 Cortex-A15 (0xc0f) at 2 GHz.
XU4_CPUINFO = "".join(
    f"processor\t: {n}\nmodel name\t: ARMv7 Processor rev 3 (v7l)\nCPU implementer\t: 0x41\n"
    f"CPU part\t: {'0xc07' if n < 4 else '0xc0f'}\n\n" for n in range(8))


def fake_sysfs(root: Path, max_khz: dict[int, int | None], governor: str = "performance",
               offline: tuple[int, ...] = ()) -> Path:
    sysfs = root / "cpu"
    for core, khz in max_khz.items():
        cpu = sysfs / f"cpu{core}"
        cpu.mkdir(parents=True)
        if core:
            (cpu / "online").write_text("0\n" if core in offline else "1\n")
        if khz is not None:
            (cpu / "cpufreq").mkdir()
            (cpu / "cpufreq" / "cpuinfo_max_freq").write_text(f"{khz}\n")
            (cpu / "cpufreq" / "scaling_governor").write_text(governor + "\n")
    (sysfs / "cpufreq").mkdir(parents=True, exist_ok=True)  # not a core: must be ignored
    (root / "cpuinfo").write_text(XU4_CPUINFO)
    return sysfs


def pick(sysfs: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LOWBIT_SYSFS_CPU=str(sysfs), LOWBIT_PROC_CPUINFO=str(sysfs.parent / "cpuinfo"))
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, check=True)


def xu4() -> dict[int, int | None]:
    return {n: 1400000 if n < 4 else 2000000 for n in range(8)}


def test_picks_the_last_big_core_and_names_its_part(tmp_path):
    sysfs = fake_sysfs(tmp_path, xu4())
    assert pick(sysfs).stdout == "7\n"
    assert pick(sysfs, "--part").stdout == "0xc0f\n"


def test_the_fastest_cluster_wins_even_when_it_is_not_last(tmp_path):
    # Big cores first, as some kernels number them: "the last core" would be a little one.
    sysfs = fake_sysfs(tmp_path, {n: 2000000 if n < 4 else 1400000 for n in range(8)})
    assert pick(sysfs).stdout == "3\n"


def test_offline_cores_are_not_picked(tmp_path):
    sysfs = fake_sysfs(tmp_path, xu4(), offline=(6, 7))
    assert pick(sysfs).stdout == "5\n"


def test_warns_when_the_governor_is_not_performance(tmp_path):
    quiet = pick(fake_sysfs(tmp_path / "a", xu4()))
    assert quiet.stderr == ""
    noisy = pick(fake_sysfs(tmp_path / "b", xu4(), governor="ondemand"))
    assert noisy.stdout == "7\n"
    assert "'ondemand' cpufreq governor, not 'performance'" in noisy.stderr


def test_without_cpufreq_the_last_core(tmp_path):
    sysfs = fake_sysfs(tmp_path, {n: None for n in range(4)})
    assert pick(sysfs).stdout == "3\n"
    assert pick(sysfs, "--part").stdout == "0xc07\n"
