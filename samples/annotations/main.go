// Shape: annotations - runtime/trace user tasks, regions and logs.
//
//   - tasks: nested three deep; one created in main and ended by another
//     goroutine; one whose parent belongs to another goroutine; one that
//     spans the whole trace (so several generations); one never ended.
//   - regions: WithRegion and StartRegion/End, nested, in several goroutines
//     under one task, one held across a channel wait and a sleep (so it
//     crosses goroutine switches and generation boundaries), one still open
//     when tracing stops, and regions outside any task.
//   - logs: Log and Logf with and without a category, with and without a
//     task, and strings that need escaping: quotes, backslashes, unicode,
//     newline, tab, "<>&", NUL, invalid UTF-8, and a 1500-byte string whose
//     byte 1024 falls inside a multi-byte rune (Go 1.22+ cut trace strings
//     to 1024 bytes).  The same strings are used as task and region names.
//
// Usage: annotations TRACE_FILE
package main

import (
	"context"
	"os"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

var (
	quoted  = `say "hello" to 'them'`
	slashes = `C:\path\to\file \n is not a newline \\`
	unicode = "unicode: héllo wörld, Привет, 日本語, emoji 🎉, combining é"
	control = "line one\nline two\ttabbed\r\n\x00nul\x1bescape"
	markup  = `<b>bold</b> & "quoted" <script>alert('x')</script> &amp;`
	badUTF8 = "invalid utf-8: \xff\xfe\xc3( end"
	long    = strings.Repeat("x", 1023) + "€" + strings.Repeat("0123456789", 47)
	strs    = []string{quoted, slashes, unicode, control, markup, badUTF8, long, ""}
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	bg := context.Background()
	whole, wholeTask := trace.NewTask(bg, "whole run")
	trace.Log(whole, "phase", "start")
	trace.Log(bg, "no task", "a log outside any task")
	trace.Log(bg, "", "a log with neither task nor category")

	// Nested tasks, three deep, each logging the odd strings.
	outer, outerTask := trace.NewTask(whole, "outer")
	mid, midTask := trace.NewTask(outer, "mid")
	inner, innerTask := trace.NewTask(mid, "inner")
	for i, s := range strs {
		trace.Log(inner, "odd", s)
		trace.Logf(inner, "odd/f", "%d: %q", i, s)
	}
	trace.Log(inner, long, "category is the long string")
	trace.Log(inner, markup, unicode)
	innerTask.End()
	midTask.End()

	// Tasks and regions named with the odd strings.
	for _, s := range strs {
		ctx, t := trace.NewTask(outer, s)
		trace.WithRegion(ctx, s, func() {
			trace.Log(ctx, "in region", s)
		})
		t.End()
	}

	// Workers under one task, each with nested regions; one task is
	// created here and ended by the last worker to finish.
	handoff, handoffTask := trace.NewTask(whole, "ended elsewhere")
	var wg sync.WaitGroup
	var mu sync.Mutex
	left := 4
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// A task whose parent was created by main.
			ctx, t := trace.NewTask(handoff, "worker")
			defer t.End()
			for i := 0; i < 5; i++ {
				trace.WithRegion(ctx, "step", func() {
					r := trace.StartRegion(ctx, "inner step")
					trace.Logf(ctx, "progress", "worker %d step %d", w, i)
					time.Sleep(time.Duration(1+w) * time.Millisecond)
					r.End()
				})
			}
			mu.Lock()
			left--
			last := left == 0
			mu.Unlock()
			if last {
				trace.Log(handoff, "handoff", "ending a task another goroutine made")
				handoffTask.End()
			}
		}(w)
	}

	// A region held across a channel wait and a 45ms sleep (crossing
	// generation boundaries), while a helper works under the same task.
	ping := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, t := trace.NewTask(outer, "helper")
		defer t.End()
		trace.WithRegion(ctx, "helper work", func() {
			time.Sleep(5 * time.Millisecond)
			ping <- 1
		})
	}()
	long1 := trace.StartRegion(outer, "long region")
	<-ping
	time.Sleep(45 * time.Millisecond)
	long1.End()

	// Regions with no task.
	trace.WithRegion(bg, "no task region", func() {
		trace.Logf(bg, "", "%s", "logged in a region without a task")
	})

	wg.Wait()
	outerTask.End()

	// Left open: a task never ended and a region ended after Stop.
	_, never := trace.NewTask(whole, "never ended")
	_ = never
	open := trace.StartRegion(whole, "open at stop")
	time.Sleep(20 * time.Millisecond)
	trace.Log(whole, "phase", "end")
	wholeTask.End()

	trace.Stop()
	open.End()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
