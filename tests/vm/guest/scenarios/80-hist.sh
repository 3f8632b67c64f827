#!/bin/sh
# lwtest-timeout: 120
# Histograms: every measured duration is counted in its power-of-two bucket
# of microseconds, per CPU and type. Three 20 ms tasklets on CPU 1 land in
# the softirq bucket 16384-32767 of CPU 1, two 8 ms edu handlers in the
# hardirq bucket that holds the injector's measurement (or the next one up,
# within the 2 ms the handler run may exceed it), and the irq-off gaps of
# CPU 1 mostly in the buckets around the sampling period. --reset clears them;
# the text output is bcc-style; nobody (uid 65534) is refused, a bad type
# is a usage error.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
# The serial console's handler takes ~5 ms under TCG: keep it off CPU 1.
console=$(lw_console_irq_to 0)
echo "LWNOTE console irq (previous CPUs): $console"
check "latwatch hist --reset" latwatch hist --reset

# inject_n VERB CPU MS N: N windows; their measurements in $meas
inject_n() {
	meas=
	i=0
	while [ "$i" -lt "$4" ]; do
		lw_inject "$1" "$2" "$3" && meas="$meas $LW_MEAS"
		i=$((i + 1))
	done
	echo "LWNOTE hist $1 cpu=$2 requested=${3}ms measured=$meas"
}

# buckets TOL: the buckets that hold each of $meas and each plus TOL us,
# as low ends, one each
buckets() {
	for m in $meas; do
		lw_bucket_low "$m"
		lw_bucket_low $((m + $1))
	done | sort -un
}

# hist_sum TYPE CPU LOWS...: counts in those buckets, summed
hist_sum() {
	t=$1 c=$2
	shift 2
	sum=0
	for low in "$@"; do
		n=$(lw_hist_count "$t" "$c" "$low")
		sum=$((sum + ${n:-0}))
	done
	echo "$sum"
}

# Softirq: 3 tasklets of 20 ms on CPU 1.
inject_n tasklet 1 20 3
sb=$(buckets 3000)
# shellcheck disable=SC2086
soft=$(hist_sum softirq 1 $sb)
echo "LWNOTE hist softirq cpu=1 buckets=$(lw_oneline "$sb") count=$soft"
check "softirq CPU 1: bucket 16384-32767 holds the 20 ms tasklets ($(lw_oneline "$sb"))" \
	test "$sb" = 16384
check "softirq CPU 1: 3 or more counts there ($soft)" test "$soft" -ge 3
# CPU 0 may have a slow softirq of its own under TCG, not three.
n=$(lw_hist_count softirq 0 16384)
check "softirq CPU 0: not the tasklets (${n:-?} in bucket 16384)" test "${n:-3}" -lt 3

# Hardirq: 2 edu handlers of 8 ms on CPU 1.
if lw_edu >/dev/null; then
	inject_n hardirq 1 8 2
	hb=$(buckets 2000)
	# shellcheck disable=SC2086
	hard=$(hist_sum hardirq 1 $hb)
	echo "LWNOTE hist hardirq cpu=1 buckets=$(lw_oneline "$hb") count=$hard"
	check "hardirq CPU 1: 2 or more counts in bucket(s) $(lw_oneline "$hb") ($hard)" \
		test "$hard" -ge 2
else
	skip "hardirq histogram" "no edu PCI device (QEMU -device edu)"
fi

# Irq-off gaps: one per sampling period P, late or early by the timer's
# jitter, which under TCG is large enough to put almost half of them above
# 1024 us when P is 1000 us: the buckets that hold P -/+ P/4.
ib=$(lw_bucket_low $((LW_PERIOD_US * 3 / 4)))
ih=$(lw_bucket_low $((LW_PERIOD_US * 5 / 4)))
ij=$(latwatch hist --json --type irqoff --cpu 1)
itotal=$(echo "$ij" | jq '[.histograms[].buckets[].count] | add // 0')
iin=$(echo "$ij" | jq --argjson lo "$ib" --argjson hi "$ih" \
	'[.histograms[].buckets[] | select(.low >= $lo and .low <= $hi) | .count] | add // 0')
echo "LWNOTE hist irqoff cpu=1 period=${LW_PERIOD_US}us buckets=$ib..$ih count=$iin total=$itotal buckets=$(echo "$ij" | jq -c '[.histograms[].buckets[] | [.low, .count]]')"
check "irqoff CPU 1: not empty ($itotal)" test "${itotal:-0}" -gt 0
check "irqoff CPU 1: most gaps in buckets $ib-$((ih * 2 - 1)) ($iin of $itotal)" \
	test $((${iin:-0} * 2)) -gt "${itotal:-0}"

check "JSON: every histogram says cpu 1, unit us, buckets low..2*low-1" \
	sh -c "latwatch hist --json --cpu 1 | jq -e '.histograms | length >= 5 and
		all(.[]; .cpu == 1 and .unit == \"us\" and
			all(.buckets[]; .high == .low * 2 - 1 and .count > 0))'"

# Text: bcc-style, the same counts as the JSON.
latwatch hist --type softirq >/tmp/hist.txt 2>&1
sed 's/^/LWNOTE hist text: /' /tmp/hist.txt
check "text: title line 'softirq (all CPUs):'" \
	sh -c 'head -n 1 /tmp/hist.txt | grep -qx "softirq (all CPUs):"'
check "text: bcc-style header (usecs : count distribution)" \
	grep -Eq '^ +usecs +: count +distribution$' /tmp/hist.txt
row=$(awk '$1 == 16384 && $2 == "->" && $3 == 32767 { print $5 }' /tmp/hist.txt)
all=$(lw_hist_count softirq '' 16384)
check "text: row 16384 -> 32767 counts what the JSON does (${row:-none} vs $all)" \
	test "${row:-x}" = "$all"

# Reset.
before=$(lw_hist_count softirq 1 16384)
check "latwatch hist --reset (again)" latwatch hist --reset
after=$(lw_hist_count softirq 1 16384)
check "after --reset: fewer counts in softirq bucket 16384 of CPU 1 ($before -> $after)" \
	test "${after:-99}" -lt "${before:-0}"
check "after --reset: none there at all (${after:-?})" test "${after:-x}" = 0

# Refusals.
out=$(as_user latwatch hist 2>&1)
rc=$?
check "unprivileged latwatch hist: exit 4 ($rc: $(lw_oneline "$out"))" test "$rc" = 4
out=$(as_user latwatch hist --reset 2>&1)
rc=$?
check "unprivileged latwatch hist --reset: exit 4 ($rc)" test "$rc" = 4
out=$(latwatch hist --type bogus 2>&1)
rc=$?
check "latwatch hist --type bogus: exit 2 ($rc: $(lw_oneline "$out"))" test "$rc" = 2
out=$(latwatch hist --cpu 99 2>&1)
rc=$?
check "latwatch hist --cpu 99: exit 2 ($rc: $(lw_oneline "$out"))" test "$rc" = 2
out=$(latwatch hist --reset --json 2>&1)
rc=$?
check "latwatch hist --reset --json: exit 2 ($rc)" test "$rc" = 2

lw_console_irq_restore "$console"
check "latwatch.ko unloads" lw_unload
out=$(latwatch hist 2>&1)
rc=$?
check "latwatch hist without the module: exit 3 ($rc)" test "$rc" = 3
