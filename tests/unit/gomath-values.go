//go:build ignore

// gomath-values.go writes tests/unit/gomath-values.txt, the values of Go's
// math.Log and math.Exp that test_gomath holds convert/gomath.c to:
//
//	GOTOOLCHAIN=local /usr/lib/go-1.27/bin/go run tests/unit/gomath-values.go > tests/unit/gomath-values.txt
//
// Each line: the bits of x, of math.Log(x) and of math.Exp(x), in hex.  The
// x are durations in ns (what histograms take the log of), the exponents
// of the MMU plot's windows, and spread values, from a fixed seed.  Run it
// on amd64 with FMA, the Exp that cmd/trace runs there.
package main

import (
	"fmt"
	"math"
	"math/rand"
)

func main() {
	r := rand.New(rand.NewSource(1))
	logDiv := math.Log(math.Pow(10, 1.0/5))
	for i := 0; i < 3000; i++ {
		var x float64
		switch i % 5 {
		case 0:
			x = float64(r.Int63n(1 << 40))
		case 1:
			x = r.Float64()*60 - 10
		case 2:
			x = float64(i)
		case 3:
			x = float64(i/5) * logDiv // histogram bucket edges
		case 4:
			x = math.Exp(r.Float64()*60 - 20)
		}
		fmt.Printf("%x %x %x\n", math.Float64bits(x), math.Float64bits(math.Log(x)), math.Float64bits(math.Exp(x)))
	}
	// Special values.
	for _, x := range []float64{0, -1, math.Inf(1), math.Inf(-1), 709.78, 710, -745.2, -800, 1e-310} {
		fmt.Printf("%x %x %x\n", math.Float64bits(x), math.Float64bits(math.Log(x)), math.Float64bits(math.Exp(x)))
	}
}
