#!/bin/sh
# lwtest-timeout: 900
# Generic netlink fuzzing: nlfuzz sends seeded random and malformed
# datagrams to the family as root and as nobody and checks every reply
# (see tests/tools/nlfuzz.c). Afterwards:
#   - as root, the configuration is exactly what the accepted CONFIG_SETs
#     made it (nlfuzz models it; a rejected request must change nothing);
#     restored, it reads as before;
#   - as nobody, it is unchanged, byte for byte;
#   - error replies to bad attributes carried an extended-ack message;
#   - the kernel logged nothing from latwatch (the runner fails the
#     scenario on any WARNING, BUG or Oops);
#   - a listener (`latwatch watch --json`) subscribed before the fuzzing
#     is still there, has said nothing on stderr, and gets the events of
#     windows injected afterwards;
#   - the module still catches a window and unloads.
# Counts: NLFUZZ_ROOT/NLFUZZ_USER datagrams; lwvm.stress=1 on the kernel
# command line (make stress) runs the full 100000 for each, and more seeds.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

NLFUZZ_ROOT=20000
NLFUZZ_USER=20000
SEEDS=1
case " $(cat /proc/cmdline) " in
*" lwvm.stress=1 "*)
	NLFUZZ_ROOT=100000
	NLFUZZ_USER=100000
	SEEDS="1 2 3"
	;;
esac

# field NAME FILE: NAME=N from nlfuzz's summary line
field() {
	sed -n "s/^nlfuzz: sent=.* $1=\([0-9]*\).*/\1/p; s/^nlfuzz: $1=\([0-9]*\).*/\1/p" "$2" |
		head -n 1
}

# fuzz WHO OUT CMD...: run nlfuzz, note its summary, check its verdict
fuzz() {
	_who=$1 _out=$2
	shift 2
	"$@" >"$_out" 2>&1
	_rc=$?
	sed -n 's/^nlfuzz: \(sent=.*\|errnos.*\|config.*\)/LWNOTE nlfuzz '"$_who"': \1/p' "$_out"
	if [ "$_rc" = 0 ] && [ "$(field unexpected "$_out")" = 0 ]; then
		ok "nlfuzz as $_who ($(field sent "$_out") datagrams): nothing unexpected"
	else
		fail "nlfuzz as $_who: nothing unexpected" \
			"exit $_rc: $(grep -m 3 'unexpected\|MISMATCH\|nlfuzz: no\|cannot' "$_out" | tr '\n' ' ')"
	fi
}

check "latwatch.ko loads with defaults" lw_load
before=$(latwatch config)
check "latwatch watch --json subscribes before the fuzzing" lw_watch_start
dmesg_mark

for seed in $SEEDS; do
	out=/tmp/nlfuzz.root.$seed
	fuzz "root seed $seed" "$out" nlfuzz -n "$NLFUZZ_ROOT" -s "$seed"
	check "root seed $seed: extended-ack messages on errors ($(field extack "$out"))" \
		test "$(field extack "$out")" -gt 0
	check "root seed $seed: data replies to GETs and dumps ($(field data "$out"))" \
		test "$(field data "$out")" -gt 0
	check "root seed $seed: configuration as the accepted requests made it" \
		grep -q '^nlfuzz: config as expected after' "$out"
	# shellcheck disable=SC2086 # one KEY=VALUE argument per line
	check "root seed $seed: configuration restored" \
		latwatch config $before
	check "root seed $seed: configuration reads as before" \
		test "$(latwatch config)" = "$before"

	out=/tmp/nlfuzz.user.$seed
	fuzz "nobody seed $seed" "$out" as_user nlfuzz -n "$NLFUZZ_USER" -s "$((seed + 100))"
	check "nobody seed $seed: no data replies" \
		test "$(field data "$out")" = 0
	check "nobody seed $seed: configuration unchanged" \
		test "$(latwatch config)" = "$before"
done

spew=$(dmesg_since | grep 'latwatch:')
check "no latwatch lines in the kernel log" test -z "$spew"
echo "LWNOTE kernel log lines during fuzzing: $(dmesg_since | wc -l)"
dmesg_since | sed 's/^\[[^]]*\] *//' | sort | uniq -c | sort -rn | head -n 5 |
	sed 's/^/LWNOTE dmesg: /'

check "latwatch stats answers" latwatch stats
check "the listener lived through the fuzzing" lw_alive "$(bg_pid watch)"
check "the listener said nothing on stderr" test ! -s /tmp/watch.err ||
	echo "LWNOTE watch said: $(lw_oneline "$(cat /tmp/watch.err)")"
lw_window irqoff 1 30
lw_window softirqoff 1 30
bg_stop watch
check "latwatch.ko unloads" lw_unload
