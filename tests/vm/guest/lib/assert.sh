# shellcheck shell=sh
# Helpers for guest test scenarios (busybox ash). /tests/run sources this
# before each scenario; a scenario run by hand can source it itself.
#
# Output protocol, one line per check:
#   LWTEST ok <scenario>: <what>
#   LWTEST FAIL <scenario>: <what> (<why>)
#   LWTEST skip <scenario>: <what> (<why>)
#
# Helpers:
#   ok WHAT / fail WHAT WHY / skip WHAT WHY
#   check WHAT CMD...        ok if CMD exits 0, else fail with its status and
#                            last line of output
#   check_fails WHAT CMD...  ok if CMD exits non-zero
#   check_within WHAT ACTUAL EXPECTED PCT
#                            ok if ACTUAL is within +-PCT % of EXPECTED
#   inject VERB CPU MS       write "VERB CPU MS" to /proc/latwatch_inject
#   bg_start NAME CMD...     run CMD in the background (output in
#                            /tmp/bg.NAME.log); killed at the latest when
#                            the scenario exits
#   bg_stop NAME             TERM (then KILL after 3 s) and reap; returns
#                            CMD's exit status
#   wait_for SECS CMD...     retry CMD every 0.1 s until it succeeds; fails
#                            after SECS
#   wait_secs SECS CMD...    the same for a CMD that takes a while itself
#                            (jq over a large file): every 0.5 s, until
#                            SECS of uptime have passed
#   dmesg_mark / dmesg_since kernel log lines written after the last mark
#   as_user CMD...           run CMD as nobody (also /tests/lib/as-user)
#
# Do not use "set -e" in scenarios: a failing check must not end the
# scenario.

[ -n "${LW_ASSERT_LOADED:-}" ] && return 0
LW_ASSERT_LOADED=1

PATH=/tests/lib:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
: "${LW_SCENARIO:=$(basename "$0" .sh)}"
: "${LW_RESULTS:=/tmp/lwtest.$LW_SCENARIO.results}"
# shellcheck disable=SC2034 # used by scenarios
LW_MODDIR=/modules
LW_INJECT=/proc/latwatch_inject
LW_BG=
LW_MARK=

lw_oneline() {
	printf '%s' "$*" | tr '\n' ' ' | sed 's/ *$//'
}

ok() {
	echo "LWTEST ok $LW_SCENARIO: $1"
	echo ok >>"$LW_RESULTS"
}

fail() {
	echo "LWTEST FAIL $LW_SCENARIO: $1 ($(lw_oneline "${2:-no reason given}"))"
	echo fail >>"$LW_RESULTS"
	return 1
}

skip() {
	echo "LWTEST skip $LW_SCENARIO: $1 ($(lw_oneline "${2:-no reason given}"))"
	echo skip >>"$LW_RESULTS"
}

check() {
	_lw_what=$1
	shift
	_lw_rc=0
	_lw_out=$("$@" 2>&1) || _lw_rc=$?
	if [ "$_lw_rc" -eq 0 ]; then
		ok "$_lw_what"
		return 0
	fi
	fail "$_lw_what" "exit $_lw_rc${_lw_out:+: $(printf '%s\n' "$_lw_out" | tail -n 1)}"
}

check_fails() {
	_lw_what=$1
	shift
	_lw_rc=0
	_lw_out=$("$@" 2>&1) || _lw_rc=$?
	if [ "$_lw_rc" -ne 0 ]; then
		ok "$_lw_what"
		return 0
	fi
	fail "$_lw_what" "succeeded but should have failed${_lw_out:+: $(printf '%s\n' "$_lw_out" | tail -n 1)}"
}

check_within() {
	for _lw_v in "$2" "$3" "$4"; do
		case $_lw_v in
		'' | *[!0-9]*)
			fail "$1" "not numbers: actual='$2' expected='$3' pct='$4'"
			return 1
			;;
		esac
	done
	if [ $(($2 * 100)) -ge $(($3 * (100 - $4))) ] &&
		[ $(($2 * 100)) -le $(($3 * (100 + $4))) ]; then
		ok "$1"
		return 0
	fi
	fail "$1" "$2 is not within ${4}% of $3"
}

inject() {
	[ -w "$LW_INJECT" ] || {
		echo "inject: $LW_INJECT not writable (module not loaded?)" >&2
		return 1
	}
	echo "$1 $2 $3" >"$LW_INJECT"
}

as_user() {
	/tests/lib/as-user "$@"
}

bg_start() {
	_lw_name=$1
	shift
	"$@" </dev/null >"/tmp/bg.$_lw_name.log" 2>&1 &
	echo $! >"/tmp/bg.$_lw_name.pid"
	LW_BG="$LW_BG $_lw_name"
}

bg_pid() {
	cat "/tmp/bg.$1.pid" 2>/dev/null
}

# lw_alive PID: PID exists and is not a zombie
lw_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null) in
	' Z'* | ' X'* | '') return 1 ;;
	esac
	return 0
}

bg_stop() {
	_lw_pid=$(bg_pid "$1") || return 127
	rm -f "/tmp/bg.$1.pid"
	kill "$_lw_pid" 2>/dev/null
	_lw_i=0
	while lw_alive "$_lw_pid" && [ "$_lw_i" -lt 30 ]; do
		sleep 0.1
		_lw_i=$((_lw_i + 1))
	done
	kill -KILL "$_lw_pid" 2>/dev/null
	_lw_rc=0
	wait "$_lw_pid" || _lw_rc=$?
	return "$_lw_rc"
}

# wait_for SECS CMD...: until CMD succeeds, at most SECS seconds of uptime
# (however long CMD itself takes), trying every 0.1 s
wait_for() {
	_lw_end=$(awk -v s="$1" '{ printf "%d\n", ($1 + s) * 100 }' /proc/uptime)
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(awk '{ printf "%d\n", $1 * 100 }' /proc/uptime)" -lt "$_lw_end" ] ||
			return 1
		sleep 0.1
	done
}

wait_secs() {
	_lw_end=$(awk -v s="$1" '{ printf "%d\n", ($1 + s) * 10 }' /proc/uptime)
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(awk '{ printf "%d\n", $1 * 10 }' /proc/uptime)" -lt "$_lw_end" ] ||
			return 1
		sleep 0.5
	done
}

dmesg_mark() {
	LW_MARK="lwtest-mark-$LW_SCENARIO-$$-$(cut -d' ' -f1 /proc/uptime)"
	echo "<6>$LW_MARK" >/dev/kmsg
}

dmesg_since() {
	if [ -z "$LW_MARK" ]; then
		dmesg
	else
		dmesg | sed -n "/$LW_MARK\$/,\$p" | sed 1d
	fi
}

lw_cleanup() {
	for _lw_n in $LW_BG; do
		[ -f "/tmp/bg.$_lw_n.pid" ] && bg_stop "$_lw_n"
	done
	return 0
}
trap lw_cleanup EXIT
