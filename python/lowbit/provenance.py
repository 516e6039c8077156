"""Where and how the numbers of a results file were made, as ordered human-readable facts."""

from __future__ import annotations

from typing import Dict

from lowbit.results import Results, order_kernels


def provenance(results: Results) -> Dict[str, str]:
    """Ordered, human-readable facts about where and how the numbers were made."""
    q, c = results.qbench, results.context
    commit = q.get("git_commit") or "unknown"
    if q.get("git_dirty"):
        commit += " (uncommitted changes)"
    flags = q.get("cxx_flags") or "unknown"
    if q.get("baseline_flags"):
        flags += f"; baselines: {q['baseline_flags']}"
    libraries = q.get("libraries") or {}
    facts = {
        "file": results.path.name,
        "machine": results.machine(),
        "host": str(q.get("host") or c.get("host_name") or "unknown"),
        "cpus": f"{c.get('num_cpus', '?')} x {c.get('mhz_per_cpu', '?')} MHz, "
                f"frequency scaling {'on' if c.get('cpu_scaling_enabled') else 'off'}",
        "compiler": f"{q.get('compiler') or 'unknown'}; flags: {flags}",
        "build": f"qbench {q.get('build_type') or 'unknown'}; Google Benchmark library "
                 f"{c.get('library_build_type', 'unknown')}",
        "commit": commit,
        "date": str(c.get("date", "unknown")),
        "libraries": ", ".join(f"{k} {libraries[k]}" for k in sorted(libraries)) or "unknown",
        "measure": ("instruction counts per product (modelled, not timed)"
                    if results.is_instructions else "wall-clock time per product (median of repetitions)"),
        "timed": str(q.get("timed") or "not stated"),
        "weights": str(q.get("weights_mode") or "not stated"),
        "config": f"{q.get('config_path') or 'unknown'}"
                  + (f" (sha256 {q['config_sha256'][:12]})" if q.get("config_sha256") else ""),
    }
    facts.update(run_facts(results))
    return facts


def run_facts(results: Results) -> Dict[str, str]:
    """The facts only some files have: ISAs, load, order, kernels, and what went wrong."""
    q, c = results.qbench, results.context
    facts = {}
    if q.get("cpu_isas"):
        facts["cpu ISAs"] = ", ".join(map(str, q["cpu_isas"])) + (
            f" (forced: {q['forced_isa']})" if q.get("forced_isa") else "")
    load = c.get("load_avg")
    if isinstance(load, list) and load:
        facts["load average at start"] = " ".join(f"{float(x):.2f}" for x in load) + (
            " (busy machine: timings may be noisy)" if busy(results) else "")
    effective = q.get("effective") or {}
    if "interleaved" in effective:
        facts["repetition order"] = ("rounds over all cells in random order" if effective["interleaved"]
                                     else "each cell's repetitions back to back")
    kernels = q.get("kernels") or {}
    if kernels:
        facts["kernels"] = "; ".join(
            f"{k}: {(kernels[k] or {}).get('implementation', '?')}"
            for k in order_kernels(kernels) if isinstance(kernels[k], dict))
    if q.get("skipped"):
        facts["skipped"] = "; ".join(f"{s.get('kernel', '?')}: {s.get('reason', '')}"
                                     for s in q["skipped"] if isinstance(s, dict))
    failed = results.failed_verifications()
    if failed:
        facts["verification FAILED"] = "; ".join(
            f"{v.get('kernel', '?')} {v.get('shape', '')}: {v.get('message', '')}".strip() for v in failed)
    if results.partial:
        facts["partial"] = "yes: the run was interrupted; some cells may be missing"
    if results.errors:
        facts["errors"] = "; ".join(f"{n}: {m}" for n, m in results.errors)
    if results.has_qnn:
        facts["qnn"] = "present, not rendered by these scripts yet"
    return facts


def busy(results: Results) -> bool:
    """True when the 1-minute load average at the start exceeded half the CPUs."""
    load = results.context.get("load_avg") or []
    cpus = results.context.get("num_cpus") or 0
    try:
        return bool(load) and bool(cpus) and float(load[0]) > 0.5 * float(cpus)
    except (TypeError, ValueError):
        return False
