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
#                              (softirqoff where the kernel has no such
#                              windows: expect no event, see below)
#   lw_no_window VERB CPU MS   inject a window, expect no irqoff or
#                              softirqoff event naming it
#   lw_softirqoff_windows      true unless this kernel is PREEMPT_RT without
#                              PREEMPT_RT_NEEDS_BH_LOCK (/boot/config): there
#                              local_bh_disable() defers softirqs in the
#                              calling task only, the CPU's softirq threads
#                              run meanwhile, and latwatch refuses
#                              softirqoff_enabled=1 ($LW_NO_SOFTIRQOFF)
#   lw_rejected WHAT MSG KEY=VALUE...
#                              latwatch config KEY=VALUE... must exit 2
#                              with MSG (grep; "" for any) in its output:
#                              ok or fail "refused: WHAT"; prints "LWNOTE
#                              config KEY=VALUE... -> OUTPUT"
#
# Tolerance (reported minus measured, under QEMU TCG, P = sampling period):
#   irqoff      the gap between two samples less P/2:
#                                            [-(P/2 + 1) ms, P/2 + LW_STALL_US]
#   softirqoff  the probe's lateness:        [-(P + 1) ms, LW_STALL_US]
# The lower bounds are what the design promises. The upper ones add
# LW_STALL_US because single-threaded TCG runs both vCPUs on one host thread:
# a vCPU stands still, its clock running, while the other one runs (seen up
# to ~10 ms inside a measured window). Accuracy proper is measured by
# tests/bench, not here.
# Each window also prints "LWNOTE window VERB CPU MS measured=US
# reported=US error=US" for the record.

LW_EVENTS=/tmp/events.json
LW_NO_SOFTIRQOFF="no softirq-off windows on PREEMPT_RT without PREEMPT_RT_NEEDS_BH_LOCK"
LW_PERIOD_US=1000
LW_STALL_US=20000

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

lw_rejected() {
	_what=$1
	_msg=$2
	shift 2
	_out=$(latwatch config "$@" 2>&1)
	_rc=$?
	if [ "$_rc" = 2 ] && echo "$_out" | grep -q -- "$_msg"; then
		ok "refused: $_what"
	else
		fail "refused: $_what" "exit $_rc: $_out"
	fi
	echo "LWNOTE config $* -> $_out"
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

# lw_expected_log: filter out the module's lines that are not errors (stdin
# to stdout): the line each load prints, and the notice that the detector
# is off for good where the kernel has no softirq-off windows.
lw_expected_log() {
	grep -v -e 'latwatch: version .* loaded$' \
		-e 'latwatch: softirqoff_enabled=0: this kernel has no softirq-off windows'
}

lw_softirqoff_windows() {
	! { grep -qx 'CONFIG_PREEMPT_RT=y' /boot/config 2>/dev/null &&
		grep -qx '# CONFIG_PREEMPT_RT_NEEDS_BH_LOCK is not set' /boot/config; }
}

lw_window() {
	_v=$1 _c=$2 _ms=$3
	_what="$_v ${_ms} ms on CPU $_c"
	LW_FUNC=lwinj_$_v
	if [ "$_v" = softirqoff ] && ! lw_softirqoff_windows; then
		_from=$(lw_lines)
		inject "$_v" "$_c" "$_ms" || {
			fail "$_what: injected" "write to $LW_INJECT failed"
			return 1
		}
		sleep 1
		_n=$(lw_new_windows "$_from" | wc -l)
		check "$_what: no event ($LW_NO_SOFTIRQOFF; got $_n)" test "$_n" = 0
		return
	fi
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
		_lo=$((-LW_PERIOD_US / 2 - 1000)) _hi=$((LW_PERIOD_US / 2 + LW_STALL_US))
	else
		_lo=$((-LW_PERIOD_US - 1000)) _hi=$LW_STALL_US
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

# A window that must not be reported is tried up to LW_NO_WINDOW_TRIES
# times and fails only if every try is reported. Single-threaded TCG can
# stop a vCPU for 10+ ms while the other one runs, interrupts on or off,
# and the sampler sees that as a gap like any other: a rare false positive
# the next try does not repeat, while a window the detector wrongly reports
# is reported on every try.
LW_NO_WINDOW_TRIES=3

lw_no_window() {
	_v=$1 _c=$2 _ms=$3
	LW_FUNC=lwinj_$_v
	_try=1
	while :; do
		_from=$(lw_lines)
		inject "$_v" "$_c" "$_ms" || {
			fail "$_v ${_ms} ms on CPU $_c: injected" "write to $LW_INJECT failed"
			return 1
		}
		sleep 1
		_n=$(lw_new_windows "$_from" | wc -l)
		if [ "$_n" = 0 ]; then
			ok "$_v ${_ms} ms on CPU $_c: no event (try $_try)"
			return 0
		fi
		if [ "$_try" -ge "$LW_NO_WINDOW_TRIES" ]; then
			fail "$_v ${_ms} ms on CPU $_c: no event" \
				"$_try tries, each reported; the last: $(lw_new_windows "$_from" | head -n 1)"
			return 1
		fi
		echo "LWNOTE $_v ${_ms} ms on CPU $_c: try $_try reported, trying again: $(lw_new_windows "$_from" | head -n 1)"
		_try=$((_try + 1))
	done
}

# --- Callback detectors: softirq, timer, hardirq ---
#
#   lw_inject VERB CPU MS        inject a window (a check of its own: not
#                                under check, which runs in a subshell);
#                                sets LW_FROM (events seen before it),
#                                LW_MEAS (the injector's measurement in us,
#                                empty if it logged none) and LW_IRQ
#                                (hardirq: the irq it logged)
#   lw_select FROM FILTER        events after line FROM for which the jq
#                                expression FILTER holds, one per line
#   lw_count FROM FILTER         how many of them
#   lw_expect_one WHAT FILTER    after lw_inject: exactly one event matching
#                                FILTER; sets LW_EV to it
#   lw_expect_none WHAT FILTER   after lw_inject: none within 1 s
#   lw_timer_softirq CPU         after lw_inject timer: a filter for TIMER
#                                softirq runs on CPU at least as long as the
#                                callback measured, i.e. the one that ran it
#                                (under single-threaded TCG a vCPU stands
#                                still while the other runs, so another run
#                                now and then looks long and is reported)
#   lw_ev KEY                    LW_EV's KEY (jq -r)
#   lw_ev_is WHAT KEY VALUE      LW_EV's KEY is VALUE
#   lw_ev_cgroup WHAT            LW_EV has a cgroup path ("/...")
#   lw_ev_duration WHAT LO HI    LW_EV's duration minus LW_MEAS is within
#                                [LO, HI] us; prints "LWNOTE TYPE VERB
#                                cpu=N requested=MSms measured=US
#                                reported=US error=US"
#   lw_edu                       the edu PCI device's sysfs dir, or nothing
#   lw_edu_irq                   the irq of lwinj_edu in /proc/interrupts
#   lw_bucket_low US             the low end of the histogram bucket that
#                                holds US (a power of two; 0 for 0)
#   lw_hist_count TYPE CPU LOW   count of the bucket starting at LOW in the
#                                histogram of TYPE on CPU ("" for all CPUs)
#   lw_console_irq_to CPU        route the serial console's interrupt
#                                (ttyS0) to CPU; prints the irq and its
#                                previous CPU list, to hand to
#                                lw_console_irq_restore. Under TCG its
#                                handler runs for ~5 ms: it must not land
#                                in a softirq measured on another CPU.

# shellcheck disable=SC2034 # LW_IRQ is for the scenarios
lw_inject() {
	LW_FROM=$(lw_lines)
	LW_INJ="$1 $2 $3"
	LW_MEAS=
	LW_IRQ=
	_what="$1 $3 ms on CPU $2: injected"
	dmesg_mark
	_out=$(inject "$1" "$2" "$3" 2>&1) || {
		fail "$_what" "write to $LW_INJECT failed: $_out"
		return 1
	}
	_l=$(dmesg_since |
		grep "latwatch_inject: $1 cpu=$2 \(irq=[0-9]* \)\{0,1\}requested=$3ms measured=" |
		tail -n 1)
	LW_MEAS=$(echo "$_l" | sed -n 's/.*measured=\([0-9]*\)us.*/\1/p')
	LW_IRQ=$(echo "$_l" | sed -n 's/.* irq=\([0-9]*\) .*/\1/p')
	if [ -z "$LW_MEAS" ]; then
		fail "$_what" "no '$1 cpu=$2 ... requested=$3ms measured=' line in dmesg"
		return 1
	fi
	ok "$_what (measured $LW_MEAS us)"
}

lw_select() {
	tail -n "+$(($1 + 1))" "$LW_EVENTS" | jq -c "select($2)" 2>/dev/null
}

lw_count() {
	lw_select "$1" "$2" | wc -l
}

lw_has() {
	[ "$(lw_count "$1" "$2")" -ge 1 ]
}

# lw_brief: events without their stacks, for messages
lw_brief() {
	jq -c 'del(.stack)'
}

lw_expect_one() {
	LW_EV=
	wait_for 5 lw_has "$LW_FROM" "$2"
	sleep 0.5	# a second event for the same window would be here now
	_n=$(lw_count "$LW_FROM" "$2")
	if [ "$_n" != 1 ]; then
		fail "$1" "got $_n events matching $2: $(lw_select "$LW_FROM" "$2" | head -n 3 | lw_brief); watch said: $(tail -n 2 /tmp/watch.err)"
		return 1
	fi
	LW_EV=$(lw_select "$LW_FROM" "$2")
	ok "$1"
}

lw_expect_none() {
	sleep 1
	_n=$(lw_count "$LW_FROM" "$2")
	if [ "$_n" = 0 ]; then
		ok "$1"
	else
		fail "$1" "got $_n events matching $2: $(lw_select "$LW_FROM" "$2" | head -n 2 | lw_brief)"
	fi
}

lw_timer_softirq() {
	echo ".type == \"softirq\" and .vector == \"TIMER\" and .cpu == $1 and .duration_ns >= ${LW_MEAS:-0} * 1000"
}

lw_ev() {
	echo "$LW_EV" | jq -r ".$1"
}

lw_ev_is() {
	_got=$(lw_ev "$2")
	if [ "$_got" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "event says $2=$_got: $(echo "$LW_EV" | lw_brief)"
	fi
}

lw_ev_cgroup() {
	_got=$(lw_ev cgroup)
	case $_got in
	/*) ok "$1 ($_got)" ;;
	*) fail "$1" "event says cgroup=$_got: $(echo "$LW_EV" | lw_brief)" ;;
	esac
}

lw_ev_duration() {
	if [ -z "$LW_MEAS" ]; then
		fail "$1" "the injector logged no measurement"
		return 1
	fi
	_ns=$(lw_ev duration_ns)
	case $_ns in
	'' | *[!0-9]*)
		fail "$1" "event has no duration_ns: $(echo "$LW_EV" | lw_brief)"
		return 1
		;;
	esac
	_dur=$((_ns / 1000))
	_err=$((_dur - LW_MEAS))
	# shellcheck disable=SC2086 # VERB CPU MS
	set -- "$1" "$2" "$3" "$(lw_ev type)" $LW_INJ
	echo "LWNOTE $4 $5 cpu=$6 requested=${7}ms measured=${LW_MEAS}us reported=${_dur}us error=${_err}us"
	if [ "$_err" -ge "$2" ] && [ "$_err" -le "$3" ]; then
		ok "$1: ${_dur} us for ${LW_MEAS} us measured"
	else
		fail "$1" "reported ${_dur} us, measured ${LW_MEAS} us: error ${_err} us outside [$2, $3]"
	fi
}

lw_edu() {
	for _d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$_d/vendor" 2>/dev/null)" = 0x1234 ] &&
			[ "$(cat "$_d/device" 2>/dev/null)" = 0x11e8 ]; then
			echo "$_d"
			return 0
		fi
	done
	return 1
}

lw_edu_irq() {
	awk '$NF == "lwinj_edu" { sub(":", "", $1); print $1 }' /proc/interrupts
}

lw_bucket_low() {
	[ "$1" -ge 1 ] || {
		echo 0
		return
	}
	_b=1
	while [ $((_b * 2)) -le "$1" ]; do
		_b=$((_b * 2))
	done
	echo "$_b"
}

lw_hist_count() {
	_cpu=
	[ -n "$2" ] && _cpu="--cpu $2"
	# shellcheck disable=SC2086 # no --cpu when $2 is empty
	latwatch hist --json --type "$1" $_cpu |
		jq --argjson low "$3" \
			'[.histograms[].buckets[] | select(.low == $low) | .count] | add // 0'
}

lw_console_irq_to() {
	awk '$NF == "ttyS0" { sub(":", "", $1); print $1 }' /proc/interrupts |
		while read -r _i; do
			echo "$_i $(cat "/proc/irq/$_i/smp_affinity_list")"
			echo "$1" >"/proc/irq/$_i/smp_affinity_list"
		done
}

# lw_console_irq_restore "IRQ CPUS"...: what lw_console_irq_to printed
lw_console_irq_restore() {
	echo "$1" | while read -r _i _cpus; do
		[ -n "$_i" ] && echo "$_cpus" >"/proc/irq/$_i/smp_affinity_list"
	done
}

# latwatch agent helpers.
#
#   lw_agent_start ARGS...   latwatch agent --json --state none ARGS in the
#                            background (no cursor: only the events from
#                            its start), events in $LW_EVENTS, stderr in
#                            $LW_AGENT_ERR; returns once it says it
#                            receives events
#   lw_agent_stop            SIGTERM; ok if it says so and exits within 5 s
#                            (it may not be our child: no exit status)
#   lw_agent_said PATTERN    its stderr has a line matching PATTERN (grep)
#   lw_agent_count PATTERN   how many of its stderr lines match PATTERN
LW_AGENT_ERR=/tmp/agent.err

lw_agent_start() {
	: >"$LW_EVENTS"
	: >"$LW_AGENT_ERR"
	latwatch agent --json --state none "$@" >"$LW_EVENTS" \
		2>"$LW_AGENT_ERR" </dev/null &
	echo $! >/tmp/bg.agent.pid
	LW_BG="$LW_BG agent"
	wait_for 10 lw_agent_said 'agent: receiving events' || {
		echo "agent did not start: $(tail -n 3 "$LW_AGENT_ERR")" >&2
		return 1
	}
}

lw_agent_stop() {
	_pid=$(bg_pid agent) || return 1
	rm -f /tmp/bg.agent.pid
	kill -TERM "$_pid" || return 1
	wait_for 5 sh -c "! kill -0 $_pid" || {
		kill -KILL "$_pid"
		echo "agent still running 5 s after SIGTERM" >&2
		return 1
	}
	lw_agent_said 'SIGTERM, exiting' || {
		echo "agent did not say it exits: $(tail -n 2 "$LW_AGENT_ERR")" >&2
		return 1
	}
}

lw_agent_said() {
	grep -q -- "$1" "$LW_AGENT_ERR"
}

lw_agent_count() {
	grep -c -- "$1" "$LW_AGENT_ERR"
}
