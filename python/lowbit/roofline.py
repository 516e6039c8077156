"""The roofline: each kernel's rate as a share of the peak of the instruction it is built on.

`qbench run` measures this core's peak rates once, before timing anything, and
records them as ``context.qbench.peak`` (docs/results-schema.md): per
instruction loop, multiply-adds per second.  A kernel's rate on a shape is
H*W*D multiply-adds over its median time; its share of peak is that rate over
the rate of the matching instruction:

* float32, float32_rowmajor, onednn_f32: f32 FMA, the widest this CPU runs
  (Eigen and oneDNN are built for the host);
* uint8, uint4, uint4_6 (ours): by the path that ran (``kernels[id].implementation``
  ends in ``__<isa>``, or the id in ``@<isa>``): avx2 -> vpmaddubsw ymm,
  avx512bw -> vpmaddubsw zmm, avx512vnni -> vpdpbusd zmm, neon/neon64 ->
  vmlal.u8, neondot -> udot; the scalar paths have none;
* onednn_s8: vpdpbusd where measured, else the widest vpmaddubsw;
* uint8_gemmlowp, xnnpack_u8 (an approximation): vpmaddwd, the instruction of
  gemmlowp's AVX2 kernel (ymm: gemmlowp has no AVX-512 kernel) and of XNNPACK's
  qu8 kernels (the widest measured); on ARM vmlal.u8.  int32 has no matching peak.

Files without ``peak`` (older files, ``--no-peak``, instruction counts) have
no roofline: every share is None and no table is made.
"""

from __future__ import annotations

from typing import Dict, Optional

from lowbit.results import Results, Shape

# Instruction families: the record keys start with these (harness/peak/*.cc).
FMA_F32 = "fma_f32_"
MADDUBS = "maddubs_u8s8_"
DPBUSD = "dpbusd_u8s8_"
MADDWD = "maddwd_s16_"
MLAL_U8 = "mlal_u8"
DOT_U8 = "dot_u8_"
MLA_F32 = "mla_f32_"  # NEON fmla / vmla.f32 (ARM's f32 multiply-accumulate)

# Our paths: the record key of the instruction each ISA's kernels are built on.
PATH_PEAK = {"avx2": "maddubs_u8s8_ymm", "avx512bw": "maddubs_u8s8_zmm",
             "avx512vnni": "dpbusd_u8s8_zmm", "neon": "mlal_u8", "neon64": "mlal_u8",
             "neondot": "dot_u8_q"}
OUR_SCHEMES = ("uint8", "uint4", "uint4_6")
FLOAT_KERNELS = ("float32", "float32_rowmajor", "onednn_f32")
# Baselines whose instruction is an approximation (see the module doc).
APPROXIMATE = ("uint8_gemmlowp", "xnnpack_u8")
GEMMLOWP_X86 = "maddwd_s16_ymm"


def peak_rates(results: Results) -> Dict[str, float]:
    """{record key: multiply-adds per second} of context.qbench.peak; {} when absent."""
    peak = results.qbench.get("peak")
    if not isinstance(peak, dict) or results.is_instructions:
        return {}
    rates = {}
    for key, entry in (peak.get("instructions") or {}).items():
        rate = entry.get("multiply_adds_per_second") if isinstance(entry, dict) else None
        if isinstance(rate, (int, float)) and rate > 0:
            rates[key] = float(rate)
    return rates


def widest(rates: Dict[str, float], family: str) -> Optional[str]:
    """The fastest measured loop of an instruction family, None if none was measured."""
    keys = [k for k in rates if k.startswith(family)]
    return max(keys, key=lambda k: rates[k]) if keys else None


def path_isa(results: Results, kernel: str) -> Optional[str]:
    """The ISA of the path one of our kernels ran: '@isa' in the id, else its implementation."""
    if "@" in kernel:
        return kernel.split("@", 1)[1]
    implementation = ((results.qbench.get("kernels") or {}).get(kernel) or {}).get("implementation", "")
    return implementation.rsplit("__", 1)[1] if "__" in implementation else None


def matching_peak(results: Results, kernel: str) -> Optional[str]:
    """The record key of the peak a kernel is compared with (module doc), None if none."""
    rates = peak_rates(results)
    scheme = kernel.split("@", 1)[0]
    if scheme in FLOAT_KERNELS:
        return widest(rates, FMA_F32) or widest(rates, MLA_F32)
    if scheme in OUR_SCHEMES:
        key = PATH_PEAK.get(path_isa(results, kernel) or "")
        return key if key in rates else None
    if scheme == "onednn_s8":
        return widest(rates, DPBUSD) or widest(rates, MADDUBS)
    if scheme == "uint8_gemmlowp" and GEMMLOWP_X86 in rates:
        return GEMMLOWP_X86
    if scheme in APPROXIMATE:
        return widest(rates, MADDWD) or widest(rates, MLAL_U8)
    return None


def share_of_peak(results: Results, family: str, kernel: str, shape: Shape) -> Optional[float]:
    """Multiply-adds per second of the kernel on the shape / its matching peak; None if unknown."""
    key = matching_peak(results, kernel)
    median_us = results.median(family, kernel, shape)
    if key is None or median_us is None:
        return None
    return shape.multiply_adds / (median_us * 1e-6) / peak_rates(results)[key]


def peak_label(results: Results, key: str) -> str:
    """'vpdpbusd zmm (avx512vnni): 106.3 G multiply-adds/s' for a record key."""
    entry = results.qbench["peak"]["instructions"][key]
    return (f"{entry.get('instruction', key)} ({entry.get('isa', '?')}): "
            f"{peak_rates(results)[key] * 1e-9:.1f} G multiply-adds/s")
