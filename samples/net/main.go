// Shape: net - goroutines blocked in network waits.  A TCP echo server on
// 127.0.0.1:0 with several clients exchanging small messages (the server
// answers after a short delay, so readers park in the netpoller), and a few
// HTTP GETs over loopback through net/http.  Nothing leaves the machine.
//
// Usage: net TRACE_FILE
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func echo(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		time.Sleep(300 * time.Microsecond)
		if _, err := io.WriteString(c, "echo "+line); err != nil {
			return
		}
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	// TCP echo server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go echo(c)
		}
	}()

	var wg sync.WaitGroup
	deadline := time.Now().Add(100 * time.Millisecond)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for n := 0; time.Now().Before(deadline); n++ {
				fmt.Fprintf(c, "client %d message %d\n", i, n)
				if _, err := r.ReadString('\n'); err != nil {
					panic(err)
				}
				time.Sleep(time.Duration(1+i) * time.Millisecond)
			}
		}(i)
	}

	// HTTP over loopback.
	hln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		fmt.Fprintf(w, "hello %s\n", r.URL.Path)
	})}
	go srv.Serve(hln)
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	url := "http://" + hln.Addr().String() + "/"
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Get(fmt.Sprintf("%sreq%d", url, i))
			if err != nil {
				panic(err)
			}
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}(i)
	}

	wg.Wait()
	client.CloseIdleConnections()
	srv.Close()
	ln.Close()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
