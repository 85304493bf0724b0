// Shape: mutex - lock contention.  Eight goroutines fight over one
// sync.Mutex (short critical sections with a little CPU work inside), and
// readers and writers share a sync.RWMutex, so goroutines block and are
// woken in sync.(*Mutex).Lock, sync.(*RWMutex).RLock and Lock.
//
// Usage: mutex TRACE_FILE
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var sink uint64

// spin burns roughly n small steps of CPU.
func spin(n int) uint64 {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var (
		mu      sync.Mutex
		rw      sync.RWMutex
		counter uint64
		table   = make(map[int]int)
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(100 * time.Millisecond)

	// Mutex contention: each worker takes the lock in bursts, then rests.
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := 0; time.Now().Before(deadline); round++ {
				for i := 0; i < 20; i++ {
					mu.Lock()
					counter += spin(2000)
					mu.Unlock()
				}
				time.Sleep(time.Duration(1+w%3) * time.Millisecond)
			}
		}(w)
	}

	// RWMutex: many readers, two writers that hold the lock a while.
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				rw.RLock()
				s := 0
				for _, v := range table {
					s += v
				}
				spin(5000)
				rw.RUnlock()
				_ = s
				time.Sleep(500 * time.Microsecond)
			}
		}(r)
	}
	for wr := 0; wr < 2; wr++ {
		wg.Add(1)
		go func(wr int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				rw.Lock()
				table[i%64] = i
				spin(20000)
				rw.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}(wr)
	}

	wg.Wait()
	sink = counter

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
