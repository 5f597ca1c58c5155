package main

import (
	"math/bits"
	"time"
)

// latencyHist is a log-linear histogram of durations: values below 64 ns are
// exact, larger ones fall into buckets 1/64 of a power of two wide, so a
// percentile is off by less than 1.6%. It costs a few KiB whatever the count,
// where a slice of every latency would cost 80 MB for 10M inserts and show up
// in the memory the benchmark measures. The zero value is empty and ready.
type latencyHist struct {
	counts [latencyBuckets]uint64
	n      uint64
}

const (
	latencySubBits = 6 // 64 buckets per power of two
	latencySub     = 1 << latencySubBits
	latencyBuckets = (64 - latencySubBits + 1) * latencySub
)

// latencyBucket returns the bucket of v nanoseconds.
func latencyBucket(v uint64) int {
	if v < latencySub {
		return int(v)
	}
	shift := bits.Len64(v) - latencySubBits - 1
	return (shift+1)*latencySub + int(v>>shift) - latencySub
}

// latencyBucketMax returns the largest value in bucket i.
func latencyBucketMax(i int) uint64 {
	if i < latencySub {
		return uint64(i)
	}
	shift := i/latencySub - 1
	return (uint64(i%latencySub+latencySub+1) << shift) - 1
}

// Record adds one duration (negative ones count as zero).
func (h *latencyHist) Record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	h.counts[latencyBucket(v)]++
	h.n++
}

// Count returns the number of durations recorded.
func (h *latencyHist) Count() uint64 { return h.n }

// Merge adds o's durations to h.
func (h *latencyHist) Merge(o *latencyHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// Percentile returns the duration below or at which a fraction p (0..1) of the
// recorded ones lie: the upper end of the bucket holding that rank. It is 0
// when nothing was recorded.
func (h *latencyHist) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p * float64(h.n))
	if rank >= h.n {
		rank = h.n - 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return time.Duration(latencyBucketMax(i))
		}
	}
	return time.Duration(latencyBucketMax(latencyBuckets - 1))
}
