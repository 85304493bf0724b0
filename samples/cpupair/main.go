// Shape: cpupair - one window of CPU time seen twice: runtime/pprof's CPU
// profile and the trace's CPU sample events.  Both come from the same
// SIGPROF handler, so over the same window they hold the same samples (the
// trace drops those of non-Go threads, and those lost to overflow; this
// program has neither).  The trace records CPU samples only while a CPU
// profile runs, so running the profile inside the trace makes the two
// windows one, the profile's (the other way round, the profile also has
// samples of the tracer starting and stopping).  Inside it, three
// goroutines burn CPU for about 600ms in distinct call paths (a loop, a
// recursion, an inlined helper), and a fourth writes to a pipe (samples in
// system calls).
//
// Usage: cpupair TRACE_FILE   (the CPU profile goes to TRACE_FILE.cpu.pb.gz)
package main

import (
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

// mix is small enough to be inlined into crunch: its frames in both
// profiles come from the inlining tables.
func mix(x, y uint64) uint64 {
	return (x ^ y) * 0x9E3779B97F4A7C15
}

//go:noinline
func crunch(n int) uint64 {
	var x uint64
	for i := 0; i < n; i++ {
		x = mix(x, uint64(i))
	}
	return x
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
	prof, err := os.Create(os.Args[1] + ".cpu.pb.gz")
	if err != nil {
		panic(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()

	if err := trace.Start(f); err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(prof); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	deadline := time.Now().Add(600 * time.Millisecond)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var x uint64
			buf := make([]byte, 65536)
			for time.Now().Before(deadline) {
				switch g {
				case 0:
					x += hashLoop(100000)
				case 1:
					x += recurse(8 + int(x%8))
				case 2:
					x += crunch(50000)
				case 3:
					if _, err := w.Write(buf); err != nil {
						panic(err)
					}
					x++
				}
			}
			sink[g] = x
		}(g)
	}
	wg.Wait()

	pprof.StopCPUProfile()
	trace.Stop()
	w.Close()
	if err := f.Close(); err != nil {
		panic(err)
	}
	if err := prof.Close(); err != nil {
		panic(err)
	}
}
