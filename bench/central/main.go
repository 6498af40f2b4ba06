// Command central is the load generator of bench/central.sh: it writes the
// central's configuration (setup), plays agents posting OTLP/HTTP probe
// results to a running central and measures what it accepts, how soon a
// result shows in the metrics and how soon the store holds it (load), and
// checks the store after the central stopped (verify).
//
//	central setup  -dir D -agents 5 -endpoints 1000 -driver postgres -dsn ... -otlp ... -api ... -metrics ...
//	central load   -otlp http://... -metrics http://... -agents 5 -endpoints 1000 -duration 60s ...
//	central verify -driver postgres -dsn ... -want N
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: central setup|load|verify [flags]; see bench/central.sh")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "setup":
		err = runSetup(os.Args[2:])
	case "load":
		err = runLoad(os.Args[2:])
	case "verify":
		err = runVerify(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: use setup, load or verify", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "central:", err)
		os.Exit(1)
	}
}
