// Shape: oversub - more runnable goroutines than Ps.  GOMAXPROCS(2) with
// sixteen CPU-bound goroutines: two never yield (the runtime preempts them
// every 10ms), six call runtime.Gosched between short chunks, eight sleep
// between chunks, so goroutines spend much of their time runnable but not
// running (the trace's own advancer goroutine waits for a P too).
//
// Usage: oversub TRACE_FILE
package main

import (
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sink [16]uint64

func spin(n int) uint64 {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func main() {
	runtime.GOMAXPROCS(2)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	deadline := time.Now().Add(150 * time.Millisecond)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var x uint64
			for time.Now().Before(deadline) {
				switch g % 8 {
				case 0: // pure CPU: only preemption takes the P away
					x += spin(200000)
				case 1, 2, 3: // polite: yields between chunks
					x += spin(20000)
					runtime.Gosched()
				default: // bursty: works, then sleeps
					x += spin(50000)
					time.Sleep(500 * time.Microsecond)
				}
			}
			sink[g] = x
		}(g)
	}
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
