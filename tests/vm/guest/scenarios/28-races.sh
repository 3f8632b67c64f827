#!/bin/sh
# lwtest-timeout: 2400
# Races against the module's load and unload, and against its
# configuration. Each phase is $N back-to-back cycles (200; 1000 under
# lwvm.stress=1):
#   plain      insmod, rmmod
#   requests   `latwatch stats` started after each insmod, racing the rmmod
#   windows    plain, while the injector holds interrupts and softirqs off
#              on CPU 1 every 50 ms (12 ms windows: events are sent)
#   both       requests and windows
#   commands   one of every netlink request started after each insmod, all
#              racing the rmmod: config set, config get, stats, hist, hist
#              reset, the replay dump (watch --since-last), and a subscribed
#              listener (watch --json); windows firing
#   switches   the module loaded: every detector switched off and on, and
#              idle_pause, while windows fire, a listener and a stats loop
#              run, and CPU 1 goes offline and online every 10th cycle
#   unload     switches and a CPU 1 hotplug started after each insmod,
#              racing the rmmod
# Every load and unload must work (rmmod may have to wait for a request in
# flight: it is retried), no latwatch process may crash or hang, the module
# must work afterwards, and the kernel must log nothing (the runner fails
# the scenario on any WARNING, BUG or Oops; on the debug kernel on any
# lockdep, KASAN or debug-objects report).
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

N=200
case " $(cat /proc/cmdline) " in
*" lwvm.stress=1 "*) N=1000 ;;
esac
KO=$LW_MODDIR/latwatch.ko
CPU1=/sys/devices/system/cpu/cpu1/online
RC=/tmp/race.rc
retries=0

# Detector switches this kernel has (lw_softirqoff_windows).
SWITCHES="irqoff_enabled softirq_enabled timer_enabled hardirq_enabled hung_enabled"
lw_softirqoff_windows && SWITCHES="$SWITCHES softirqoff_enabled"

hotplug=1
if [ ! -w "$CPU1" ] || ! echo 0 >"$CPU1" 2>/dev/null; then
	hotplug=0
	echo "LWNOTE CPU 1 cannot go offline here: no hotplug in the races"
fi
cpu1_online() {
	[ "$hotplug" = 0 ] || echo 1 >"$CPU1" 2>/dev/null
}
cpu1_online
trap 'cpu1_online; lw_cleanup' EXIT

unload() {
	_n=0
	while ! rmmod latwatch 2>/tmp/rmmod.err; do
		_n=$((_n + 1))
		retries=$((retries + 1))
		[ "$_n" -lt 200 ] || return 1
		sleep 0.05
	done
}

# race CMD...: CMD in the background; its exit status goes to $RC
race() {
	{
		"$@" >/dev/null 2>>/tmp/race.err </dev/null
		echo "$? $1 $2" >>"$RC"
	} &
}

race_requests() {
	race latwatch stats
}

race_commands() {
	race latwatch config irqoff_threshold_us=20ms
	race latwatch config
	race latwatch stats
	race latwatch hist
	race latwatch hist --reset
	race latwatch watch --json --since-last --state /tmp/race.cursor
	race latwatch watch --json
}

# switches V: every detector and idle_pause to V, one request
switches() {
	_args="idle_pause=$1"
	for _k in $SWITCHES; do
		_args="$_args $_k=$1"
	done
	# shellcheck disable=SC2086 # one KEY=VALUE per word
	latwatch config $_args
}

race_switches() {
	race switches 0
	race switches 1
	[ "$hotplug" = 0 ] || race sh -c "echo 0 >$CPU1; echo 1 >$CPU1"
}

storm_start() {
	bg_start storm sh -c "while :; do
		echo 'irqoff 1 12' >$LW_INJECT
		echo 'softirqoff 1 12' >$LW_INJECT
		sleep 0.05
	done"
}

# settled: every racer has ended
settled() {
	! pidof latwatch >/dev/null
}

# racers_check PHASE: the racers all ended, none crashed
racers_check() {
	check "$1: every racer ended" wait_for 60 settled ||
		echo "LWNOTE still running: $(pidof latwatch)"
	cpu1_online
	_n=$(wc -l <"$RC")
	# 128 and up: killed by a signal (SIGSEGV, SIGABRT)
	_crashed=$(awk '$1 >= 128' "$RC" | head -n 3)
	echo "LWNOTE $1: $_n racers, exit statuses: $(cut -d' ' -f1 "$RC" | sort | uniq -c | tr -s ' \n' ' ')"
	check "$1: no racer crashed" test -z "$_crashed" ||
		echo "LWNOTE crashed: $(lw_oneline "$_crashed")"
	: >"$RC"
}

# cycles PHASE RACE: $N insmod/rmmod cycles, running RACE (a function or
# "") after each insmod
cycles() {
	_phase=$1 _race=$2
	_done=0 _why=
	: >"$RC"
	_t0=$(cut -d' ' -f1 /proc/uptime)
	_i=1
	while [ "$_i" -le "$N" ]; do
		if ! insmod "$KO" 2>/tmp/insmod.err; then
			_why="cycle $_i: insmod: $(cat /tmp/insmod.err)"
			break
		fi
		[ -z "$_race" ] || "$_race"
		if ! unload; then
			_why="cycle $_i: rmmod: $(cat /tmp/rmmod.err)"
			break
		fi
		_done=$((_done + 1))
		_i=$((_i + 1))
	done
	_t1=$(cut -d' ' -f1 /proc/uptime)
	echo "LWNOTE $_phase: $_done cycles in $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f", b - a }')s, rmmod retries so far $retries"
	check "$_phase: $N load/unload cycles ($_done)" test "$_done" = "$N" ||
		echo "LWNOTE $_why"
	[ -z "$_race" ] || racers_check "$_phase"
}

[ -e "$LW_INJECT" ] || check "latwatch_inject.ko loads" insmod "$LW_MODDIR/latwatch_inject.ko"
: >/tmp/race.err

cycles plain ""
cycles requests race_requests
storm_start
cycles windows ""
cycles both race_requests
cycles commands race_commands

# The module stays loaded: its switches and CPU hotplug under fire.
check "latwatch.ko loads" insmod "$KO"
check "latwatch watch --json subscribes" lw_watch_start
bg_start clients sh -c 'while :; do latwatch stats; latwatch hist; done'
: >"$RC"
i=1 bad=
while [ "$i" -le "$N" ]; do
	switches 0 >/dev/null 2>>/tmp/race.err || bad="$bad $i:off"
	switches 1 >/dev/null 2>>/tmp/race.err || bad="$bad $i:on"
	if [ "$hotplug" = 1 ] && [ $((i % 10)) = 0 ]; then
		echo 0 >"$CPU1" && echo 1 >"$CPU1" || bad="$bad $i:hotplug"
	fi
	i=$((i + 1))
done
check "switches: $N times every detector and idle_pause off and on" test -z "$bad" ||
	echo "LWNOTE failed: $bad; $(tail -n 2 /tmp/race.err | tr '\n' ' ')"
check "switches: the listener lived through it" lw_alive "$(bg_pid watch)"
check "switches: the stats loop lived through it" lw_alive "$(bg_pid clients)"
bg_stop clients
bg_stop watch
stats=$(latwatch stats --json)
check "switches: events were sent ($(echo "$stats" | jq .total.events))" \
	test "$(echo "$stats" | jq .total.events)" -gt 0
check "latwatch.ko unloads" unload

cycles unload race_switches
bg_stop storm

# Afterwards it works as ever.
check "latwatch.ko loads with defaults" lw_load
check "latwatch watch --json subscribes" lw_watch_start
lw_window irqoff 1 30
bg_stop watch
check "latwatch.ko unloads" lw_unload
echo "LWNOTE racers said: $(sort /tmp/race.err | uniq -c | sort -rn | head -n 5 | tr -s ' \n' ' ')"
# A request that lost the race says so, not what errno the core gave.
bad=$(grep -m 3 -e 'Protocol not supported' -e 'No such device' /tmp/race.err)
check "racers that lost say the module is being unloaded or not loaded" \
	test -z "$bad" || echo "LWNOTE $(lw_oneline "$bad")"
