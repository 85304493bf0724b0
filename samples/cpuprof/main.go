// Shape: cpuprof - CPU profile samples inside the trace.  A CPU profile
// (written to io.Discard) runs while tracing, and four goroutines burn CPU
// for about 200ms in a few distinct call paths, so the trace carries CPU
// sample events (with stacks) alongside the scheduler events.
//
// Usage: cpuprof TRACE_FILE
package main

import (
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink [4]uint64

//go:noinline
func hashLoop(n int) uint64 {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

//go:noinline
func sortish(n int) uint64 {
	a := make([]uint32, 256)
	for i := range a {
		a[i] = uint32(i * 2654435761)
	}
	var s uint64
	for k := 0; k < n; k++ {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j] < a[j-1]; j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
		s += uint64(a[k%len(a)])
		a[k%len(a)] ^= uint32(k * 40503)
	}
	return s
}

//go:noinline
func recurse(d int) uint64 {
	if d == 0 {
		return hashLoop(20000)
	}
	return recurse(d-1) + 1
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	deadline := time.Now().Add(200 * time.Millisecond)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var x uint64
			for time.Now().Before(deadline) {
				switch g {
				case 0:
					x += hashLoop(100000)
				case 1:
					x += sortish(4)
				case 2:
					x += recurse(8 + int(x%8))
				case 3:
					x += hashLoop(50000)
					time.Sleep(time.Millisecond)
				}
			}
			sink[g] = x
		}(g)
	}
	wg.Wait()

	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
