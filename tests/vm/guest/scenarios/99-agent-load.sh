#!/bin/sh
# lwtest-timeout: 120
# latwatch agent's own cost: RSS and CPU time while idle and during an
# event storm (every softirq and timer callback over 1 us reported), with
# the kernel's count of events compared with what the agent printed. The
# figures go to LWNOTE lines; the checks are that the agent keeps up (every
# event the module sent is printed or reported lost) and stays under
# 8 MiB RSS.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() {
	cut -d')' -f2 "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

check "latwatch.ko loads with defaults" lw_load
check "latwatch agent starts" lw_agent_start --metrics 127.0.0.1:9106
pid=$(bg_pid agent)
tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

c0=$(cpu_ticks "$pid")
sleep 10
c1=$(cpu_ticks "$pid")
idle_rss=$(rss_kb "$pid")
echo "LWNOTE agent idle: cpu $(((c1 - c0) * 1000 / tck)) ms in 10 s, rss ${idle_rss} kB"
check "idle RSS under 8 MiB (${idle_rss} kB)" test "$idle_rss" -lt 8192

lines0=$(lw_lines)
check "storm settings" latwatch config softirq_threshold_us=1 timer_threshold_us=1
c0=$(cpu_ticks "$pid")
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 10
check "storm over" latwatch config softirq_threshold_us=10000 timer_threshold_us=10000
t1=$(cut -d' ' -f1 /proc/uptime)
sleep 2
c1=$(cpu_ticks "$pid")
lines1=$(lw_lines)
n=$((lines1 - lines0))
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s }')
hwm=$(hwm_kb "$pid")
echo "LWNOTE agent storm: $n events in ${secs} s ($rate/s), cpu $(((c1 - c0) * 1000 / tck)) ms, rss $(rss_kb "$pid") kB, peak rss ${hwm} kB"
check "the storm produced events ($n)" test "$n" -gt 100
check "peak RSS under 8 MiB (${hwm} kB)" test "$hwm" -lt 8192

# Every event the module sent reached the agent's output, or a lost record
# says how many did not.
lost=$(jq -s '[.[] | select(.type == "lost") | .count // 0] | add // 0' "$LW_EVENTS")
printed=$(jq -s '[.[] | select(.type != "lost")] | length' "$LW_EVENTS")
seqmax=$(jq -s '[.[] | .seq // 0] | max' "$LW_EVENTS")
echo "LWNOTE agent storm accounting: printed=$printed lost=$lost last seq=$seqmax"
check "printed + lost accounts for every sequence number ($printed + $lost >= $seqmax)" \
	test $((printed + lost)) -ge "$seqmax"

echo "LWNOTE signatures: $(jq -r .signature "$LW_EVENTS" | sort | uniq -c | sort -rn | head -n 5 | tr "\n" ";")"
check "latwatch agent exits on SIGTERM" lw_agent_stop
check "latwatch.ko unloads" lw_unload
