package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of /proc CPU times: 100 on every Linux
// this runs on.
const clockTick = 100

// cpuSample is where the CPU time went at one instant.
type cpuSample struct {
	at        time.Time
	central   time.Duration // the central process (0 when no pid given)
	postgres  time.Duration // PostgreSQL backends serving the bench database
	self      time.Duration // this generator
	busy, all uint64        // machine-wide jiffies from /proc/stat
}

func sampleCPU(centralPID int, pgDB string) cpuSample {
	s := cpuSample{at: time.Now()}
	if centralPID > 0 {
		s.central, _ = procCPU(strconv.Itoa(centralPID))
	}
	if pgDB != "" {
		s.postgres = postgresCPU(pgDB)
	}
	s.self, _ = procCPU("self")
	s.busy, s.all = machineJiffies()
	return s
}

// procCPU is user plus system time of /proc/<pid>.
func procCPU(pid string) (time.Duration, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields start after its ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%s/stat: no ')'", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(f))
	}
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%s/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTick, nil
}

// postgresCPU sums the CPU time of the backends whose process title names
// database db ("postgres: user db 127.0.0.1(port) idle"). The server's
// shared processes (WAL writer, checkpointer) are not included, so this is a
// lower bound of what PostgreSQL spent.
func postgresCPU(db string) time.Duration {
	pids, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var sum time.Duration
	for _, p := range pids {
		cmd, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres: ")) || !bytes.Contains(cmd, []byte(" "+db+" ")) {
			continue
		}
		if d, err := procCPU(filepath.Base(filepath.Dir(p))); err == nil {
			sum += d
		}
	}
	return sum
}

// machineJiffies returns busy and total jiffies of all CPUs.
func machineJiffies() (busy, all uint64) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i >= 8 { // guest times are already counted in user
			break
		}
		all += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, all
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
