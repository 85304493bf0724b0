//go:build go1.23

// Shape: iter - coroutine switches.  iter.Pull and iter.Pull2 run their
// sequences as coroutines, so the trace has GoSwitch events (a direct
// handoff from one goroutine to another without the scheduler) and
// GoSwitchDestroy when a pulled sequence finishes or is stopped early.
// Several goroutines pull at once, one pulled sequence blocks on a channel
// and one sleeps, and a range-over-func loop runs alongside (no switches).
// Go 1.23 and later only.
//
// Usage: iter TRACE_FILE
package main

import (
	"iter"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// counter yields 0, 1, 2, ... up to n-1.
func counter(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// pairs yields (i, i*i).
func pairs(n int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i, i*i) {
				return
			}
		}
	}
}

// fromChan yields what arrives on c, so the coroutine blocks in a receive.
func fromChan(c <-chan int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for v := range c {
			if !yield(v) {
				return
			}
		}
	}
}

// slow yields n values, sleeping between them.
func slow(n int, d time.Duration) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			time.Sleep(d)
			if !yield(i) {
				return
			}
		}
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	deadline := time.Now().Add(80 * time.Millisecond)

	// Pull to exhaustion and stop early, in a loop, in two goroutines.
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := 0; time.Now().Before(deadline); round++ {
				next, stop := iter.Pull(counter(20))
				sum := 0
				for {
					v, ok := next()
					if !ok {
						break
					}
					sum += v
				}
				stop()
				next2, stop2 := iter.Pull2(pairs(100))
				for i := 0; i < 5+w; i++ {
					next2()
				}
				stop2() // stopped early
				time.Sleep(2 * time.Millisecond)
			}
		}(w)
	}

	// A pulled sequence that blocks on a channel.
	c := make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(c)
		for i := 0; time.Now().Before(deadline); i++ {
			c <- i
			time.Sleep(3 * time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		next, stop := iter.Pull(fromChan(c))
		defer stop()
		for {
			if _, ok := next(); !ok {
				return
			}
		}
	}()

	// A pulled sequence that sleeps, and a plain range-over-func loop.
	wg.Add(1)
	go func() {
		defer wg.Done()
		next, stop := iter.Pull(slow(8, 5*time.Millisecond))
		defer stop()
		for {
			if _, ok := next(); !ok {
				break
			}
		}
		total := 0
		for v := range counter(1000) {
			total += v
		}
		_ = total
	}()

	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
