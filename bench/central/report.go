package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
)

// report prints the figures of a load run, one per line, and the
// accepted_results=N line the script passes on to verify.
func report(f loadFlags, t *tally, window time.Duration, begin time.Time, stored int64, storedAt time.Time, drainErr error,
	pl *poller, before, after cpuSample, commits int64) {
	secs := window.Seconds()
	var statuses []string
	for _, code := range sortedKeys(t.statuses) {
		statuses = append(statuses, fmt.Sprintf("%d: %d", code, t.statuses[code]))
	}
	for msg, n := range t.failures {
		statuses = append(statuses, fmt.Sprintf("error %q: %d", msg, n))
	}
	fmt.Printf("requests           %s in %.2fs (%s)\n", thousands(t.requests), secs, strings.Join(statuses, ", "))
	if t.behind > 0 {
		fmt.Printf("behind the rate    %s sends found every worker busy (the central did not keep up)\n", thousands(t.behind))
	}
	fmt.Printf("accepted           %s results = %s results/s (HTTP 200)\n", thousands(t.accepted), thousands(int64(float64(t.accepted)/secs)))
	if drainErr == nil {
		all := storedAt.Sub(begin)
		fmt.Printf("stored             %s rows, all of them %.2fs after the last response = %s results/s into %s\n",
			thousands(stored), storedAt.Sub(begin.Add(window)).Seconds(), thousands(int64(float64(t.accepted)/all.Seconds())), f.db.driver)
	} else {
		fmt.Printf("stored             %s rows: %v\n", thousands(stored), drainErr)
	}
	fmt.Printf("request latency    %s\n", summarize(t.latency))
	fmt.Printf("marker -> metric   at most  %s; lost %d, abandoned %d\n", summarize(pl.samples), pl.lost, pl.abandoned)
	fmt.Printf("                   at least %s\n", summarize(pl.lower))
	fmt.Printf("metrics scrape     %s; %d KiB each, %d failed", summarize(pl.scrapes), pl.bodyBytes/1024, pl.errors)
	if pl.lastErr != nil {
		fmt.Printf(" (last: %v)", pl.lastErr)
	}
	fmt.Println()
	wall := after.at.Sub(before.at).Seconds()
	cores := func(d time.Duration) string {
		return fmt.Sprintf("%.1f s = %.2f cores", d.Seconds(), d.Seconds()/wall)
	}
	var cpu []string
	if f.centralPID > 0 {
		cpu = append(cpu, "central "+cores(after.central-before.central))
	}
	if f.pgDB != "" {
		cpu = append(cpu, "postgres backends "+cores(after.postgres-before.postgres))
	}
	cpu = append(cpu, "generator "+cores(after.self-before.self))
	if all := after.all - before.all; all > 0 {
		cpu = append(cpu, fmt.Sprintf("machine %.0f%% busy", 100*float64(after.busy-before.busy)/float64(all)))
	}
	fmt.Printf("cpu                %s\n", strings.Join(cpu, "; "))
	if t.accepted > 0 {
		// Per result, so that runs on a machine shared with other work
		// compare: what the central and PostgreSQL would need on their own.
		perResult := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(t.accepted) }
		central, pg := perResult(after.central-before.central), perResult(after.postgres-before.postgres)
		line := fmt.Sprintf("cpu per result     central %.1f µs", central)
		if f.pgDB != "" {
			line += fmt.Sprintf(" + PostgreSQL backends %.1f µs", pg)
		}
		if central+pg > 0 {
			line += fmt.Sprintf(" = %.1f µs: %s results/s would fill %d cores", central+pg,
				thousands(int64(float64(runtime.NumCPU())*1e6/(central+pg))), runtime.NumCPU())
		}
		fmt.Println(line)
	}
	if all := after.all - before.all; all > 0 && f.centralPID > 0 {
		busy := float64(after.busy-before.busy) / float64(all) * float64(runtime.NumCPU())
		ours := (after.central - before.central + after.postgres - before.postgres + after.self - before.self).Seconds() / wall
		fmt.Printf("other work         %.2f cores busy with other processes during the run\n", max(0, busy-ours))
	}
	if commits > 0 {
		fmt.Printf("transactions       %s committed in the bench database = %.0f results per transaction\n",
			thousands(commits), float64(t.accepted)/float64(commits))
	}
	fmt.Printf("load average after %s\n", loadAverage())
	fmt.Printf("accepted_results=%d\n", t.accepted)
}

func sortedKeys(m map[int]int64) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
