#!/bin/sh
# lwtest-timeout: 90
# Without CAP_NET_ADMIN (uid 65534) every command of the family is refused
# with EPERM, and so is joining "events": through the CLI (one line saying
# so, exit code 4) and through raw requests (nlfuzz -p sends each command
# once, so this does not depend on the CLI). The same probe as root gets
# every command through, a control that it can see a success. Afterwards
# the configuration is what it was, and the histogram still holds a window
# counted before the refused resets.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

PROBES="CONFIG_GET CONFIG_SET STATS_GET HIST_GET HIST_RESET REPLAY_GET events-join"

check "latwatch.ko loads with defaults" lw_load
before=$(latwatch config)

# probe_line OUT NAME: nlfuzz -p's line for NAME
probe_line() {
	echo "$1" | grep "^nlfuzz: probe $2 "
}

# The control: root gets through everywhere (it also clears the histograms).
out=$(nlfuzz -p 2>&1)
rc=$?
echo "$out" | sed 's/^/LWNOTE root: /'
check "nlfuzz -p as root: every probe answered" test "$rc" = 0
for p in $PROBES; do
	l=$(probe_line "$out" "$p")
	case $l in
	*" errno=0"*) ok "root: $p allowed" ;;
	*) fail "root: $p allowed" "${l:-no line for $p}" ;;
	esac
done
for p in CONFIG_GET STATS_GET HIST_GET; do
	l=$(probe_line "$out" "$p")
	case $l in
	*" data=0"* | "") fail "root: $p returned data" "${l:-no line for $p}" ;;
	*) ok "root: $p returned data" ;;
	esac
done

# A window the histograms count, so that a reset would show.
check "latwatch watch --json subscribes" lw_watch_start
lw_window softirqoff 1 30
bg_stop watch
# The window's delay lands in the 16-32 ms bucket, or in the next one
# when the soft probe ran late too (33 ms seen on 5.10 under TCG).
hist_bucket() {
	echo $(($(lw_hist_count softirqoff 1 16384) + $(lw_hist_count softirqoff 1 32768)))
}
held=$(hist_bucket)
echo "LWNOTE softirqoff CPU 1 buckets 16384 and 32768: $held"
check "histogram holds the 30 ms window ($held)" test "${held:-0}" -ge 1

# as_user_refused ARGS...: latwatch ARGS as nobody: exit 4, one line
# saying permission denied
as_user_refused() {
	_out=$(as_user timeout 10 latwatch "$@" 2>&1 </dev/null)
	_rc=$?
	_n=$(printf '%s\n' "$_out" | wc -l)
	if [ "$_rc" = 4 ] && [ "$_n" = 1 ] &&
		echo "$_out" | grep -q "permission denied"; then
		ok "unprivileged: latwatch $* refused"
	else
		fail "unprivileged: latwatch $* refused" "exit $_rc, $_n lines: $_out"
	fi
}
as_user_refused config
as_user_refused config irqoff_threshold_us=50ms
as_user_refused config sample_period_us=2ms hung_enabled=0
as_user_refused stats
as_user_refused stats --json
as_user_refused hist
as_user_refused hist --json
as_user_refused hist --reset
as_user_refused watch
as_user_refused watch --json
if latwatch help 2>/dev/null | grep -q '^  agent '; then
	as_user_refused agent
	as_user_refused agent --json
else
	skip "unprivileged: latwatch agent refused" "this latwatch has no agent command"
fi

# The same requests without the CLI.
out=$(as_user nlfuzz -p 2>&1)
rc=$?
echo "$out" | sed 's/^/LWNOTE nobody: /'
check "nlfuzz -p as nobody: every probe answered" test "$rc" = 0
for p in $PROBES; do
	l=$(probe_line "$out" "$p")
	case $l in
	*" errno=EPERM"*)
		case $l in
		*" data=0"* | *events-join*) ok "unprivileged: raw $p refused with EPERM" ;;
		*) fail "unprivileged: raw $p refused with EPERM" "but data came: $l" ;;
		esac
		;;
	*) fail "unprivileged: raw $p refused with EPERM" "${l:-no line for $p}" ;;
	esac
done

check "configuration unchanged" test "$(latwatch config)" = "$before"
now=$(hist_bucket)
check "histogram not reset ($held before, $now after)" \
	test "${now:-0}" -ge "${held:-1}"
check "latwatch.ko unloads" lw_unload
