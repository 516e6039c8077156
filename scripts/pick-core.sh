#!/usr/bin/env bash
# Picks the core that single-thread timings are pinned to (make reproduce: taskset -c <core>):
# the highest-numbered core of the fastest cluster, i.e. with the highest cpuinfo_max_freq. On a
# big.LITTLE board such as the ODROID-XU4 (cores 0-3 Cortex-A7 at 1.4 GHz, 4-7 Cortex-A15 at 2 GHz)
# the last core is not always a big one, and cpu0 takes most interrupts. Without cpufreq (VMs, some
# x86 kernels) every core counts as equally fast: the last one.
#   scripts/pick-core.sh            prints the core number
#   scripts/pick-core.sh --part     prints that core's "CPU part" from /proc/cpuinfo (ARM: 0xc0f is a
#                                   Cortex-A15), "" where there is none (x86)
# Warns on stderr when the core's cpufreq governor is not "performance" (the clock then varies with
# load and the timings with it: docs/odroid.md). For tests, LOWBIT_SYSFS_CPU (default
# /sys/devices/system/cpu) and LOWBIT_PROC_CPUINFO (default /proc/cpuinfo) point elsewhere.
set -euo pipefail

sysfs=${LOWBIT_SYSFS_CPU:-/sys/devices/system/cpu}
cpuinfo=${LOWBIT_PROC_CPUINFO:-/proc/cpuinfo}
what=core
case ${1:-} in
  "") ;;
  --part) what=part ;;
  *) echo "pick-core.sh: unknown option '$1' (use --part)" >&2; exit 2 ;;
esac

best=-1
best_khz=-1
for dir in "$sysfs"/cpu[0-9]*; do
  [[ -d $dir ]] || continue
  core=${dir##*/cpu}
  [[ $core =~ ^[0-9]+$ ]] || continue
  # An offline core cannot be pinned to (cpu0 has no "online" file: it is always online).
  if [[ -f $dir/online && $(<"$dir/online") != 1 ]]; then continue; fi
  khz=0
  [[ -r $dir/cpufreq/cpuinfo_max_freq ]] && khz=$(<"$dir/cpufreq/cpuinfo_max_freq")
  if ((khz > best_khz || (khz == best_khz && core > best))); then
    best=$core
    best_khz=$khz
  fi
done
if ((best < 0)); then
  echo "pick-core.sh: no cores in $sysfs" >&2
  exit 1
fi

governor_file=$sysfs/cpu$best/cpufreq/scaling_governor
if [[ -r $governor_file ]]; then
  governor=$(<"$governor_file")
  if [[ $governor != performance ]]; then
    echo "pick-core.sh: warning: core $best runs the '$governor' cpufreq governor, not 'performance':" \
      "its clock follows the load and timings vary (docs/odroid.md: set it with cpufreq-set or" \
      "echo performance | sudo tee $governor_file)" >&2
  fi
fi

if [[ $what == core ]]; then
  echo "$best"
else
  # The "CPU part" line of the block that starts with "processor : <best>".
  awk -v core="$best" -F': *' '
    /^processor[ \t]*:/ { current = $2 }
    /^CPU part[ \t]*:/ && current == core { print $2; exit }' "$cpuinfo"
fi
