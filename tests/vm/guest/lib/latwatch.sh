# shellcheck shell=sh
# latwatch helpers for guest scenarios; source after /tests/lib/assert.sh.
#
#   lw_load [PARAM=VALUE...]   insmod latwatch.ko and the injector
#   lw_unload                  rmmod both
#   lw_watch_start             latwatch watch --json in the background,
#                              events in $LW_EVENTS
#   lw_window VERB CPU MS      inject a window, expect exactly one event of
#                              type VERB on CPU naming lwinj_VERB on top and a
#                              duration within tolerance of the injector's
#                              own measurement
#   lw_no_window VERB CPU MS   inject a window, expect no irqoff or
#                              softirqoff event naming it
#
# Tolerance (reported minus measured, under QEMU TCG, P = sampling period):
#   irqoff      the gap between two samples: [-1 ms, P + 4 ms]
#   softirqoff  the probe's lateness:        [-(P + 1) ms, +4 ms]
# Each window also prints "LWNOTE window VERB CPU MS measured=US
# reported=US error=US" for the record.

LW_EVENTS=/tmp/events.json
LW_PERIOD_US=1000

lw_load() {
	insmod "$LW_MODDIR/latwatch.ko" "$@" || return 1
	LW_PERIOD_US=$(cat /sys/module/latwatch/parameters/sample_period_us)
	[ -e "$LW_INJECT" ] || insmod "$LW_MODDIR/latwatch_inject.ko"
}

lw_unload() {
	rmmod latwatch_inject 2>/dev/null
	rmmod latwatch
}

lw_watch_start() {
	: >"$LW_EVENTS"
	latwatch watch --json >"$LW_EVENTS" 2>/tmp/watch.err </dev/null &
	echo $! >/tmp/bg.watch.pid
	LW_BG="$LW_BG watch"
	# The subscription is in place once stats answer and watch lives.
	sleep 0.5
	lw_alive "$(bg_pid watch)"
}

lw_lines() {
	wc -l <"$LW_EVENTS"
}

# lw_new_events FROM: events after line FROM naming $LW_FUNC in any frame
lw_new_events() {
	tail -n "+$(($1 + 1))" "$LW_EVENTS" |
		jq -c --arg f "$LW_FUNC+" \
			'select(.stack != null and any(.stack[]; startswith($f)))'
}

lw_count_new() {
	lw_new_events "$1" | jq -s --arg t "$2" 'map(select(.type == $t)) | length'
}

lw_has_new() {
	[ "$(lw_count_new "$1" "$2")" -ge 1 ]
}

# lw_measured VERB CPU MS: the window length the injector measured, in us
lw_measured() {
	dmesg_since |
		sed -n "s/.*latwatch_inject: $1 cpu=$2 requested=$3ms measured=\([0-9]*\)us.*/\1/p" |
		tail -n 1
}

lw_window() {
	_v=$1 _c=$2 _ms=$3
	_what="$_v ${_ms} ms on CPU $_c"
	LW_FUNC=lwinj_$_v
	_from=$(lw_lines)
	dmesg_mark
	inject "$_v" "$_c" "$_ms" || {
		fail "$_what: injected" "write to $LW_INJECT failed"
		return 1
	}
	_meas=$(lw_measured "$_v" "$_c" "$_ms")
	wait_for 5 lw_has_new "$_from" "$_v"
	sleep 0.5	# a second event for the same window would be here now
	_n=$(lw_count_new "$_from" "$_v")
	if [ "$_n" != 1 ]; then
		fail "$_what: exactly one $_v event" "got $_n; watch said: $(tail -n 2 /tmp/watch.err)"
		return 1
	fi
	ok "$_what: exactly one $_v event"
	_ev=$(lw_new_events "$_from" | jq -c --arg t "$_v" 'select(.type == $t)')
	_cpu=$(echo "$_ev" | jq -r .cpu)
	_top=$(echo "$_ev" | jq -r '.stack[0]')
	_dur=$(($(echo "$_ev" | jq -r .duration_ns) / 1000))
	if [ "$_cpu" = "$_c" ]; then
		ok "$_what: on CPU $_c"
	else
		fail "$_what: on CPU $_c" "event says CPU $_cpu"
	fi
	case $_top in
	"$LW_FUNC+"*) ok "$_what: culprit $LW_FUNC on top of the stack" ;;
	*) fail "$_what: culprit $LW_FUNC on top of the stack" "top frame is $_top" ;;
	esac
	if [ -z "$_meas" ]; then
		fail "$_what: duration" "the injector logged no measurement"
		return 1
	fi
	_err=$((_dur - _meas))
	echo "LWNOTE window $_v cpu=$_c requested=${_ms}ms measured=${_meas}us reported=${_dur}us error=${_err}us"
	if [ "$_v" = irqoff ]; then
		_lo=-1000 _hi=$((LW_PERIOD_US + 4000))
	else
		_lo=$((-LW_PERIOD_US - 1000)) _hi=4000
	fi
	if [ "$_err" -ge "$_lo" ] && [ "$_err" -le "$_hi" ]; then
		ok "$_what: duration ${_dur} us for ${_meas} us measured"
	else
		fail "$_what: duration" "reported ${_dur} us, measured ${_meas} us: error ${_err} us outside [$_lo, $_hi]"
	fi
}

# Windows are what irqoff and softirqoff report; a slow timer callback that
# happens to interrupt the injector is another detector's business.
lw_new_windows() {
	lw_new_events "$1" | jq -c 'select(.type == "irqoff" or .type == "softirqoff")'
}

lw_no_window() {
	_v=$1 _c=$2 _ms=$3
	LW_FUNC=lwinj_$_v
	_from=$(lw_lines)
	inject "$_v" "$_c" "$_ms" || {
		fail "$_v ${_ms} ms on CPU $_c: injected" "write to $LW_INJECT failed"
		return 1
	}
	sleep 1
	_n=$(lw_new_windows "$_from" | wc -l)
	if [ "$_n" = 0 ]; then
		ok "$_v ${_ms} ms on CPU $_c: no event"
	else
		fail "$_v ${_ms} ms on CPU $_c: no event" "got: $(lw_new_windows "$_from" | head -n 1)"
	fi
}
