// Shape: gc - garbage collector pressure.  With debug.SetGCPercent(10),
// three goroutines churn through pointer-heavy lists and byte buffers on top
// of a retained live heap, and a fourth calls runtime.GC() every 20ms, so the
// trace has many GC cycles with mark assists, background sweeps and
// stop-the-world pauses.
//
// It runs with GOMAXPROCS(1): with two Ps, runtime.GC() and the background
// sweeper spin in Gosched loops waiting for each other's sweeps, which adds
// tens of thousands of events (hundreds of KB, varying wildly from run to
// run) to the trace.
//
// Usage: gc TRACE_FILE
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"time"
)

type node struct {
	next *node
	data [6]uint64
}

var live [][]byte

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	// A live heap of 2 MB, made before tracing so the cycles have
	// something to mark.
	for i := 0; i < 16; i++ {
		live = append(live, make([]byte, 128<<10))
	}
	debug.SetGCPercent(10)
	runtime.GOMAXPROCS(1) // see above
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	deadline := time.Now().Add(100 * time.Millisecond)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var keep *node
			n := 0
			for time.Now().Before(deadline) {
				// Short-lived linked structure: pointer-heavy, so
				// marking it costs the allocating goroutine assists.
				var head *node
				for i := 0; i < 1000; i++ {
					head = &node{next: head}
					head.data[0] = uint64(i)
				}
				if n%8 == 0 {
					keep = head // keep one list alive for a while
				}
				b := make([]byte, 32<<10+w*1024)
				b[0] = byte(n)
				n++
				time.Sleep(time.Millisecond)
			}
			runtime.KeepAlive(keep)
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			runtime.GC()
		}
	}()
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	runtime.KeepAlive(live)
}
