package budget

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCreditsBoundInFlight(t *testing.T) {
	c := NewCredits(10)
	var inFlight, peak atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				n, err := c.Acquire(context.Background(), 3)
				if err != nil {
					t.Error(err)
					return
				}
				v := inFlight.Add(n)
				for {
					p := peak.Load()
					if v <= p || peak.CompareAndSwap(p, v) {
						break
					}
				}
				inFlight.Add(-n)
				c.Release(n)
			}
		}()
	}
	wg.Wait()
	if peak.Load() > 10 {
		t.Fatalf("peak in flight %d exceeds capacity 10", peak.Load())
	}
	if c.InUse() != 0 {
		t.Fatalf("InUse after all released = %d", c.InUse())
	}
}

func TestCreditsAcquireWaitsAndHonoursContext(t *testing.T) {
	c := NewCredits(4)
	n, _ := c.Acquire(context.Background(), 4)
	if _, ok := c.TryAcquire(1); ok {
		t.Fatal("TryAcquire succeeded with no free credits")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Acquire(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with no credits: err = %v, want deadline exceeded", err)
	}
	done := make(chan int64)
	go func() {
		m, err := c.Acquire(context.Background(), 100) // capped at capacity
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	c.Release(n)
	if m := <-done; m != 4 {
		t.Fatalf("oversized Acquire took %d, want the capacity 4", m)
	}
}

func TestCreditsClose(t *testing.T) {
	c := NewCredits(1)
	c.Acquire(context.Background(), 1)
	errc := make(chan error)
	go func() {
		_, err := c.Acquire(context.Background(), 1)
		errc <- err
	}()
	c.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("waiter after Close: %v, want ErrClosed", err)
	}
}

func TestCreditsWithoutWaitersDoNotAllocate(t *testing.T) {
	c := NewCredits(100)
	allocs := testing.AllocsPerRun(100, func() {
		n, err := c.Acquire(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		c.Release(n)
	})
	if allocs != 0 {
		t.Fatalf("Acquire and Release allocate %v times per call with nobody waiting", allocs)
	}
}
