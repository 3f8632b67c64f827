# shellcheck shell=sh
# lwtest-timeout: 90
# The fault injector itself: each window lasts as long as requested (the
# module logs the ktime_get() length), bad commands are refused, only root
# may write, and /tests/lib/as-user really drops to nobody.

# CPU 1 when there is one, so that CPU 0 keeps the console going.
if [ "$(nproc)" -gt 1 ]; then
	CPU=1
else
	CPU=0
fi
BADCPU=7
PCT=20

check "as-user id -u prints 65534" test "$(as_user id -u)" = 65534
check "as-user id -g prints 65534" test "$(as_user id -g)" = 65534

check "insmod latwatch_inject" insmod "$LW_MODDIR/latwatch_inject.ko"
check "/proc/latwatch_inject is mode 0200" \
	test "$(stat -c %a "$LW_INJECT")" = 200

# window VERB MS: run it on $CPU and compare the logged length.
window() {
	dmesg_mark
	check "inject $1 $CPU $2" inject "$1" "$CPU" "$2" || return
	line=$(dmesg_since | grep "latwatch_inject: $1 cpu=$CPU requested=$2ms measured=" | tail -n 1)
	us=$(echo "$line" | sed -n 's/.*measured=\([0-9]*\)us.*/\1/p')
	if [ -z "$us" ]; then
		fail "$1 $2 ms window logged" "no 'measured=' line in dmesg"
		return
	fi
	check_within "$1 window lasted ${us}us for ${2}ms requested" \
		"$us" $(($2 * 1000)) "$PCT"
}

window irqoff 50
window softirqoff 30
window spin 20

# The write returns only once the window is over. (Uptime has 10 ms steps;
# with -icount sleep=off an idle moment can jump the guest clock ahead, so
# only the lower bound is tight.)
t0=$(cut -d' ' -f1 /proc/uptime)
inject spin "$CPU" 500
t1=$(cut -d' ' -f1 /proc/uptime)
ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
check "spin 500 ms write returned after ${ms}ms of uptime" \
	test "$ms" -ge 490 -a "$ms" -le 2000

# The local timer interrupt count of $CPU: a 400 ms spin takes ~100 ticks
# (HZ=250; fewer when the host does not run the vCPU for a while); with
# interrupts off only the interrupts around the window remain, and the
# time around it is longer on a slow (debug) kernel (3-4 on a stock
# kernel, 20-24 on the debug one): so no more than half of what the spin
# of the same length got, about 100, as it would with interrupts on.
loc() {
	awk -v c=$(($1 + 2)) '$1 == "LOC:" { print $c }' /proc/interrupts
}
a=$(loc "$CPU")
inject irqoff "$CPU" 400
b=$(loc "$CPU")
inject spin "$CPU" 400
c=$(loc "$CPU")
check "no timer interrupts on CPU $CPU during irqoff 400 ms ($((b - a)) around it; spin: $((c - b)))" \
	test $((2 * (b - a))) -le $((c - b))
check "timer interrupts on CPU $CPU during spin 400 ms ($((c - b)))" \
	test $((c - b)) -ge 40

if [ "$(nproc)" -le "$BADCPU" ]; then
	check_fails "irqoff on absent CPU $BADCPU is refused" \
		inject irqoff "$BADCPU" 50
fi
check_fails "unknown verb is refused" inject bogus "$CPU" 1
check_fails "0 ms is refused" inject irqoff "$CPU" 0
check_fails "10001 ms is refused" inject irqoff "$CPU" 10001
check_fails "missing argument is refused" sh -c "echo 'irqoff $CPU' >$LW_INJECT"
check_fails "trailing garbage is refused" sh -c "echo 'irqoff $CPU 5 x' >$LW_INJECT"
check_fails "negative CPU is refused" inject irqoff -1 5
check_fails "nobody cannot write the injector" \
	as_user sh -c "echo 'spin $CPU 1' >$LW_INJECT"
check "no error lines logged for refused commands" \
	sh -c "! dmesg | grep -q 'latwatch_inject:.*\\(error\\|invalid\\)'"

check "rmmod latwatch_inject" rmmod latwatch_inject
check "/proc/latwatch_inject gone after rmmod" test ! -e "$LW_INJECT"
