// Shape: syscall - goroutines in system calls.  File writes, reads and
// fsyncs in a temporary directory (removed at exit); an os.Pipe (which Go
// parks in the netpoller) and a raw syscall.Pipe whose reader blocks inside
// read(2), so the runtime hands its P off; and an exec of /bin/true.
//
// Usage: syscall TRACE_FILE
package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	dir, err := os.MkdirTemp("", "trace-sample-syscall-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	var wg sync.WaitGroup
	deadline := time.Now().Add(100 * time.Millisecond)

	// Files: write, fsync, read back.
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			block := bytes.Repeat([]byte{'a' + byte(w)}, 16<<10)
			name := filepath.Join(dir, string(rune('a'+w)))
			buf := make([]byte, len(block))
			for time.Now().Before(deadline) {
				fh, err := os.Create(name)
				if err != nil {
					panic(err)
				}
				for i := 0; i < 4; i++ {
					if _, err := fh.Write(block); err != nil {
						panic(err)
					}
				}
				if err := fh.Sync(); err != nil {
					panic(err)
				}
				if _, err := fh.Seek(0, io.SeekStart); err != nil {
					panic(err)
				}
				for {
					if _, err := fh.Read(buf); err == io.EOF {
						break
					} else if err != nil {
						panic(err)
					}
				}
				fh.Close()
				time.Sleep(2 * time.Millisecond)
			}
		}(w)
	}

	// os.Pipe: the reader waits for the writer's slow messages.
	pr, pw, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 64)
		for {
			if _, err := pr.Read(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			pw.Write([]byte("ping"))
			time.Sleep(3 * time.Millisecond)
		}
		pw.Close()
	}()

	// syscall.Pipe: blocking read(2) on a raw descriptor.
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 64)
		for {
			n, err := syscall.Read(fds[0], buf)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n == 0 {
				syscall.Close(fds[0])
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			syscall.Write(fds[1], []byte("pong"))
			time.Sleep(10 * time.Millisecond)
		}
		syscall.Close(fds[1])
	}()

	// exec: fork, exec and wait for /bin/true a few times.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 3; i++ {
			if err := exec.Command("/bin/true").Run(); err != nil {
				panic(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
