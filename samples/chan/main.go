// Shape: chan - goroutines waiting on each other.  An unbuffered pipeline
// (blocking sends and receives), a select over several channels with a
// timer case, a sync.Cond with Wait and Broadcast, and a sync.WaitGroup that
// main waits on.
//
// Usage: chan TRACE_FILE
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

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

	var wg sync.WaitGroup
	deadline := time.Now().Add(100 * time.Millisecond)

	// Pipeline: producer -> square -> consumer, all unbuffered, with a
	// slow consumer so the senders block.
	src := make(chan int)
	sq := make(chan uint64)
	wg.Add(3)
	go func() {
		defer wg.Done()
		defer close(src)
		for i := 0; time.Now().Before(deadline); i++ {
			src <- i
		}
	}()
	go func() {
		defer wg.Done()
		defer close(sq)
		for v := range src {
			sq <- uint64(v) * uint64(v)
		}
	}()
	go func() {
		defer wg.Done()
		var sum uint64
		for v := range sq {
			sum += v + spin(3000)
			if v%50 == 0 {
				time.Sleep(200 * time.Microsecond)
			}
		}
		_ = sum
	}()

	// Select over several channels, fed by three tickers at different
	// rates, with a timeout case and a quit channel.
	a, b, c := make(chan int), make(chan string), make(chan struct{}, 1)
	quit := make(chan struct{})
	feed := func(period time.Duration, send func()) {
		defer wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				send()
			case <-quit:
				return
			}
		}
	}
	wg.Add(3)
	go feed(700*time.Microsecond, func() {
		select {
		case a <- 1:
		case <-quit:
		}
	})
	go feed(1100*time.Microsecond, func() {
		select {
		case b <- "b":
		case <-quit:
		}
	})
	go feed(3*time.Millisecond, func() {
		select {
		case c <- struct{}{}:
		default: // full: drop
		}
	})
	selDone := make(chan struct{})
	go func() {
		defer close(selDone)
		counts := [4]int{}
		for time.Now().Before(deadline) {
			select {
			case <-a:
				counts[0]++
			case <-b:
				counts[1]++
			case <-c:
				counts[2]++
			case <-time.After(2 * time.Millisecond):
				counts[3]++
			}
		}
	}()

	// sync.Cond: waiters sleep until a broadcaster bumps the generation.
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		round int
		done  bool
	)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			seen := round
			for !done {
				for round == seen && !done {
					cond.Wait()
				}
				seen = round
				mu.Unlock()
				spin(1000)
				mu.Lock()
			}
			mu.Unlock()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			time.Sleep(4 * time.Millisecond)
			mu.Lock()
			round++
			cond.Broadcast()
			mu.Unlock()
		}
		mu.Lock()
		done = true
		cond.Broadcast()
		mu.Unlock()
	}()

	<-selDone
	close(quit)
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
