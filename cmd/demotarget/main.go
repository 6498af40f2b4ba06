// Command demotarget serves loopback HTTP targets for the demo, the end-to-end
// tests and the benchmarks. A target can be told to fail for chosen agents
// (by the X-Quorate-Agent header that probes send) or for everyone.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/quorate/quorate/internal/demotarget"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on (loopback only)")
	failAgents := flag.String("fail-agents", "", "comma-separated agent ids that get 503 {\"status\":\"DOWN\"}")
	failAll := flag.Bool("fail-all", false, "answer 503 to every agent")
	flag.Parse()

	h := demotarget.New()
	h.SetFailing(splitList(*failAgents), *failAll)
	srv := &http.Server{Addr: *listen, Handler: h}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		_ = srv.Close()
	}()
	log.Printf("demotarget on http://%s (GET /health, POST /control?fail-agents=a,b&fail-all=false)", *listen)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatalf("demotarget: %v", err)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
