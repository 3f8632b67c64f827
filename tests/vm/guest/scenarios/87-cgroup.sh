#!/bin/sh
# lwtest-timeout: 90
# The cgroup is best effort: an event is never lost for it. A task waits in
# D state for 2.5 s (its write to the injector waits for a 2.5 s busy loop
# on CPU 1), hung threshold 1 s: the hung event names the task's cgroup.
# From a short path, the whole path. From a path of over 1 kB (six levels
# of 200-character names), the event still comes: its cgroup is "..." and
# the path's last 1020 bytes, ending with the leaf, and cgroup_truncated is
# true.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

CG=/sys/fs/cgroup
if ! grep -q "^[^ ]* $CG cgroup2 " /proc/mounts; then
	mkdir -p $CG
	check "cgroup2 mounted" mount -t cgroup2 none $CG
fi

# name200 C: a 200-character directory name of letter C
name200() {
	printf "%0200d" 0 | tr 0 "$1"
}

short=/lwcg/short
deep=/lwcg
for c in a b c d e f; do
	deep=$deep/$(name200 $c)
done
leaf=$(name200 f)
check "short cgroup $short made" mkdir -p "$CG$short"
check "deep cgroup made (${#deep} bytes)" mkdir -p "$CG$deep"

check "latwatch.ko loads with a 1 s hung threshold" \
	lw_load hung_threshold_ms=1000 hung_scan_interval_ms=200
check "latwatch watch --json subscribes" lw_watch_start

# blocked_in PATH: a shell in cgroup PATH waits 2.5 s in D state; its hung
# event in LW_EV
blocked_in() {
	# shellcheck disable=SC2034 # read by lw_expect_one
	LW_FROM=$(lw_lines)
	sh -c "echo \$\$ >'$CG$1/cgroup.procs' && echo 'spin 1 2500' >$LW_INJECT" &
	_pid=$!
	wait "$_pid"
	_sel=".type == \"hung\" and .pid == $_pid"
	lw_expect_one "a task in ${2:-$1}: one hung event" "$_sel"
}

if blocked_in "$short"; then
	check "its cgroup is $short ($(lw_ev cgroup))" test "$(lw_ev cgroup)" = "$short"
	check "cgroup_truncated absent" test "$(lw_ev cgroup_truncated)" = null
fi

if blocked_in "$deep" "a ${#deep}-byte cgroup"; then
	got=$(lw_ev cgroup)
	echo "LWNOTE cgroup of ${#got} bytes: $(echo "$got" | cut -c1-40)..."
	check "cgroup_truncated is true" test "$(lw_ev cgroup_truncated)" = true
	check "the cgroup is 1023 bytes (${#got})" test "${#got}" = 1023
	case $got in
	"..."*"/$leaf") ok "it is \"...\" and a path ending with the leaf" ;;
	*) fail "it is \"...\" and a path ending with the leaf" "$got" ;;
	esac
	case $deep in
	*"${got#...}") ok "what follows \"...\" is the path's end" ;;
	*) fail "what follows \"...\" is the path's end" "$got" ;;
	esac
fi

stats=$(latwatch stats --json)
check "nothing lost" test "$(echo "$stats" | jq '.total.lost')" = 0
bg_stop watch
check "latwatch.ko unloads" lw_unload
d=$CG$deep
while [ "$d" != "$CG/lwcg" ]; do
	rmdir "$d" 2>/dev/null
	d=$(dirname "$d")
done
rmdir "$CG$short" "$CG/lwcg" 2>/dev/null
check "cgroups removed" test ! -e "$CG/lwcg"
