package main

import (
	"fmt"
	"runtime/metrics"
	"strings"
)

// goMemory is where the Go runtime's memory goes, from runtime/metrics
// (which does not stop the world). Together with RSS it tells whether memory
// is live objects, goroutine stacks, or heap the GC has not yet given back.
type goMemory struct {
	objects, unused, free, released, stacks, metadata, other, goal uint64
}

var goMemoryMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/metadata/mcache/free:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/metadata/mspan/free:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/gc/heap/goal:bytes",
}

func readGoMemory() goMemory {
	samples := make([]metrics.Sample, len(goMemoryMetrics))
	for i, n := range goMemoryMetrics {
		samples[i].Name = n
	}
	metrics.Read(samples)
	var m goMemory
	for _, s := range samples {
		if s.Value.Kind() != metrics.KindUint64 {
			continue
		}
		v := s.Value.Uint64()
		switch {
		case strings.HasSuffix(s.Name, "/heap/objects:bytes"):
			m.objects = v
		case strings.HasSuffix(s.Name, "/heap/unused:bytes"):
			m.unused = v
		case strings.HasSuffix(s.Name, "/heap/free:bytes"):
			m.free = v
		case strings.HasSuffix(s.Name, "/heap/released:bytes"):
			m.released = v
		case strings.HasSuffix(s.Name, "/heap/stacks:bytes"), strings.HasSuffix(s.Name, "/os-stacks:bytes"):
			m.stacks += v
		case strings.Contains(s.Name, "/metadata/"):
			m.metadata += v
		case s.Name == "/gc/heap/goal:bytes":
			m.goal = v
		default:
			m.other += v
		}
	}
	return m
}

// heapInUse is the bytes of heap spans holding objects, MemStats.HeapInuse
// minus the stacks.
func heapInUse() uint64 {
	m := readGoMemory()
	return m.objects + m.unused
}

func (m goMemory) String() string {
	return fmt.Sprintf("objects %.1f, unused in spans %.1f, stacks %.1f, free not returned %.1f, returned %.1f, metadata %.1f, other %.1f MiB; GC goal %.1f MiB",
		mib(m.objects), mib(m.unused), mib(m.stacks), mib(m.free), mib(m.released), mib(m.metadata), mib(m.other), mib(m.goal))
}
