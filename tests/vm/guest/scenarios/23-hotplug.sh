#!/bin/sh
# lwtest-timeout: 600
# CPU hotplug with latwatch loaded and `latwatch watch` running: CPU 1 goes
# offline for 2 s and online again, 3 times (30 under lwvm.stress=1). While
# it is offline latwatch shows it offline and its sample counter stands
# still; once it is back it shows it online and sampling. The hotplug must
# not make a false window: the sampler must not take the time CPU 1 spent
# offline for a gap, nor the softirq probe for lateness. With both
# thresholds at 1 s, half the time offline, such a mistake is an irqoff or
# softirqoff event, or a stall or late-softirq count, of a second or more,
# while single-threaded TCG's own noise (a vCPU standing still for up to
# ~200 ms) stays below it: so during the cycles there must be none of them.
# Then, at the default thresholds, windows injected on CPU 1 are caught, the
# module unloads and loads with CPU 1 offline, and starts sampling CPU 1
# when it comes back.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

CYCLES=3
case " $(cat /proc/cmdline) " in
*" lwvm.stress=1 "*) CYCLES=30 ;;
esac
CPU1=/sys/devices/system/cpu/cpu1/online
OFF_S=2
LONG_US=1000000

if [ ! -w "$CPU1" ]; then
	skip "CPU 1 hotplug" "$CPU1 is missing or not writable: CPU 1 cannot go offline here"
	exit 0
fi
if ! echo 0 >"$CPU1" 2>/tmp/hotplug.err; then
	skip "CPU 1 hotplug" "offlining CPU 1 fails: $(cat /tmp/hotplug.err)"
	exit 0
fi
echo 1 >"$CPU1"
cpu1_online() {
	echo 1 >"$CPU1" 2>/dev/null
}
# CPU 1 must come back even if this scenario fails or is killed.
trap 'cpu1_online; lw_cleanup' EXIT
trap 'exit 143' TERM

# stat CPU KEY: KEY of CPU in `latwatch stats --json`
stat() {
	latwatch stats --json |
		jq -r --argjson c "$1" ".cpus[] | select(.cpu == \$c) | .$2"
}

# cpu1: "ONLINE SAMPLES" of CPU 1
cpu1() {
	latwatch stats --json |
		jq -r '.cpus[] | select(.cpu == 1) | "\(.online) \(.samples)"'
}

# cpu1_back N: CPU 1 is online and has sampled past N
cpu1_back() {
	# shellcheck disable=SC2046 # two words
	set -- "$1" $(cpu1)
	[ "$2" = true ] && [ "$3" -gt "$1" ]
}

# late_counts: stalls and softirq_late of every CPU, one line
late_counts() {
	latwatch stats --json |
		jq -r '[.cpus[] | "cpu\(.cpu): stalls=\(.stalls) late=\(.softirq_late)"] | join(" ")'
}

# samples_above N: CPU 1's sample counter has gone past N
samples_above() {
	_s=$(stat 1 samples)
	[ -n "$_s" ] && [ "$_s" -gt "$1" ]
}

WINDOWS='.type == "irqoff" or .type == "softirqoff"'

check "latwatch.ko loads, thresholds 1 s" \
	lw_load irqoff_threshold_us=$LONG_US softirqoff_threshold_us=$LONG_US
check "latwatch watch --json subscribes" lw_watch_start
dmesg_mark
from=$(lw_lines)
late0=$(late_counts)

bad_off=0 bad_frozen=0 bad_on=0 why=''
# now: uptime in seconds
now() {
	cut -d' ' -f1 /proc/uptime
}
# took SINCE: seconds since SINCE
took() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

t_off='' t_on=''
i=1
while [ "$i" -le "$CYCLES" ]; do
	t=$(now)
	if ! echo 0 >"$CPU1"; then
		bad_off=$((bad_off + 1))
		why="$why cycle $i: offlining failed;"
	fi
	t_off="$t_off $(took "$t")"
	# shellcheck disable=SC2046 # two words
	set -- $(cpu1)
	if [ "$1" != false ]; then
		bad_off=$((bad_off + 1))
		why="$why cycle $i: offline but stats say online=$1;"
	fi
	sleep "$OFF_S"
	# shellcheck disable=SC2046 # two words
	set -- "$2" $(cpu1)
	if [ "$1" != "$3" ]; then
		bad_frozen=$((bad_frozen + 1))
		why="$why cycle $i: samples moved while offline ($1 -> $3);"
	fi
	t=$(now)
	if ! echo 1 >"$CPU1"; then
		bad_on=$((bad_on + 1))
		why="$why cycle $i: onlining failed;"
	fi
	t_on="$t_on $(took "$t")"
	if ! wait_for 5 cpu1_back "${3:-0}"; then
		bad_on=$((bad_on + 1))
		why="$why cycle $i: back online, stats say $(cpu1) (samples were $3);"
	fi
	sleep 0.5
	i=$((i + 1))
done
echo "LWNOTE hotplug: $CYCLES cycles, problems:${why:- none}"
echo "LWNOTE hotplug: seconds to offline:$t_off; to online:$t_on"
check "CPU 1 offlined $CYCLES times, stats said offline" test "$bad_off" = 0
check "CPU 1 sample counter stood still while offline" test "$bad_frozen" = 0
check "CPU 1 onlined $CYCLES times, stats said online and sampling" \
	test "$bad_on" = 0

sleep 1
lw_select "$from" "$WINDOWS" |
	jq -r '"LWNOTE hotplug event: \(.type) cpu=\(.cpu) duration_ns=\(.duration_ns) top=\(.stack[0] // "-")"'
first=$(lw_select "$from" "$WINDOWS" | head -n 1 | lw_brief)
check "no irqoff or softirqoff event of 1 s or more" test -z "$first"
late1=$(late_counts)
echo "LWNOTE hotplug: before $late0"
echo "LWNOTE hotplug: after  $late1"
check "no stall or late softirq of 1 s or more" test "$late0" = "$late1"

check "thresholds back to 10 ms" \
	latwatch config irqoff_threshold_us=10ms softirqoff_threshold_us=10ms
lw_window irqoff 1 30
lw_window softirqoff 1 30
bg_stop watch

check "CPU 1 offline" sh -c "echo 0 >$CPU1"
check "latwatch.ko unloads with CPU 1 offline" rmmod latwatch
check "latwatch.ko loads with CPU 1 offline" lw_load
check "stats: CPU 1 offline, never sampled" \
	test "$(stat 1 online)/$(stat 1 samples)" = false/0
check "CPU 1 online" sh -c "echo 1 >$CPU1"
check "CPU 1 sampled once back" wait_for 5 samples_above 0
check "latwatch.ko unloads" lw_unload

spew=$(dmesg_since | grep 'latwatch:' | lw_expected_log)
check "no latwatch errors in the kernel log" test -z "$spew"
