// tokenring writes an event-dense execution trace for trace2pprof's
// benchmark: rings of goroutines passing a token over channels, goroutines
// contending on a mutex, and timers firing, until the trace reaches a size.
// With -pullers, goroutines also pull values from coroutines (iter.Pull), so
// that most events are coroutine switches (GoSwitch), as in the traces of
// code built on iter.Pull.  Needs Go 1.23 or later.
//
//	go run main.go -size 40 out.trace   # stop once about 40 MB are written
package main

import (
	"flag"
	"fmt"
	"iter"
	"log"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// countingFile counts the bytes the tracer writes.
type countingFile struct {
	f *os.File
	n atomic.Int64
}

func (c *countingFile) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.f.Write(p)
}

func ring(size int, stop *atomic.Bool, wg *sync.WaitGroup) {
	chans := make([]chan int, size)
	for i := range chans {
		chans[i] = make(chan int)
	}
	for i := 0; i < size; i++ {
		wg.Add(1)
		go func(in, out chan int) {
			defer wg.Done()
			for tok := range in {
				if stop.Load() {
					close(out)
					for range in {
					}
					return
				}
				out <- tok + 1
			}
			close(out)
		}(chans[i], chans[(i+1)%size])
	}
	chans[0] <- 0
}

func contend(mu *sync.Mutex, shared *int, stop *atomic.Bool, wg *sync.WaitGroup) {
	defer wg.Done()
	for !stop.Load() {
		mu.Lock()
		*shared++
		for i := 0; i < 200; i++ {
			*shared += i
		}
		mu.Unlock()
	}
}

// count yields 0, 1, 2... for as long as it is pulled.
func count(yield func(int) bool) {
	for i := 0; yield(i); i++ {
	}
}

// puller pulls from a coroutine: each pull is two switches.
func puller(stop *atomic.Bool, wg *sync.WaitGroup) {
	defer wg.Done()
	next, done := iter.Pull(iter.Seq[int](count))
	defer done()
	for !stop.Load() {
		next()
	}
}

func ticker(stop *atomic.Bool, wg *sync.WaitGroup) {
	defer wg.Done()
	for !stop.Load() {
		time.Sleep(50 * time.Microsecond)
	}
}

func main() {
	sizeMB := flag.Int64("size", 40, "stop tracing after about this many MB")
	pullers := flag.Int("pullers", 0, "goroutines pulling from coroutines")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: tokenring [-size MB] [-pullers N] out.trace")
	}
	f, err := os.Create(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	out := &countingFile{f: f}
	if err := trace.Start(out); err != nil {
		log.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	shared := 0
	for r := 0; r < 4; r++ {
		ring(50, &stop, &wg)
	}
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go contend(&mu, &shared, &stop, &wg)
		go ticker(&stop, &wg)
	}
	for i := 0; i < *pullers; i++ {
		wg.Add(1)
		go puller(&stop, &wg)
	}
	for out.n.Load() < *sizeMB<<20 {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "tokenring: wrote %d bytes\n", out.n.Load())
}
