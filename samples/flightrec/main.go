//go:build go1.25

// Shape: flightrec - a flight recorder snapshot.  The program never calls
// trace.Start: it runs a trace.FlightRecorder (MinAge 60ms, MaxBytes 64 KiB)
// for about 300ms of mixed work (mutex contention, channel ping-pong,
// allocation with a few GC cycles, sleeps) and then writes the recorder's
// window to the file with WriteTo.  The snapshot holds only the last few
// generations, so it starts in the middle of the program's life: goroutines,
// tasks and regions that began earlier, a first generation number above 1.
// Go 1.25 and later only.
//
// Usage: flightrec TRACE_FILE
package main

import (
	"context"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

type node struct {
	next *node
	pad  [4]uint64
}

func spin(n int) uint64 {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func main() {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   60 * time.Millisecond,
		MaxBytes: 64 << 10,
	})
	if err := fr.Start(); err != nil {
		panic(err)
	}

	// A task and a region begun long before the snapshot's window.
	ctx, task := trace.NewTask(context.Background(), "flight")
	region := trace.StartRegion(ctx, "whole flight")

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		counter uint64
	)
	deadline := time.Now().Add(300 * time.Millisecond)

	// Mutex contention.
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				for i := 0; i < 10; i++ {
					mu.Lock()
					counter += spin(2000)
					mu.Unlock()
				}
				time.Sleep(time.Duration(2+w) * time.Millisecond)
			}
		}(w)
	}

	// Channel ping-pong.
	ping, pong := make(chan int), make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(ping)
		for i := 0; time.Now().Before(deadline); i++ {
			ping <- i
			<-pong
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v + 1
		}
	}()

	// Allocation, enough for a few GC cycles.  (No runtime.GC: with two Ps
	// its wait for the sweep spins in Gosched and floods the window.)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var keep *node
		for i := 0; time.Now().Before(deadline); i++ {
			var head *node
			for j := 0; j < 500; j++ {
				head = &node{next: head}
			}
			if i%16 == 0 {
				keep = head
			}
			time.Sleep(500 * time.Microsecond)
		}
		runtime.KeepAlive(keep)
	}()

	wg.Wait()
	trace.Log(ctx, "flight", "writing snapshot")

	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if _, err := fr.WriteTo(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	region.End()
	task.End()
	fr.Stop()
}
