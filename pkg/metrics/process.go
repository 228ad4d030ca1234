package metrics

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// runtimeFamilies reads a few figures of the Go runtime, under the names the
// Prometheus Go client gives them, so existing dashboards keep working.
func runtimeFamilies() []family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc := family{name: "go_gc_duration_seconds", help: "Time the garbage collector stopped the world, and how many collections ran.",
		kind: "summary", samples: []sample{
			{suffix: "_sum", value: float64(ms.PauseTotalNs) / 1e9},
			{suffix: "_count", value: float64(ms.NumGC)},
		}}
	return []family{
		gc,
		gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
		gauge("go_info", "The Go version the server was built with.", 1, label{"version", runtime.Version()}),
		counter("go_memstats_alloc_bytes_total", "Bytes allocated for heap objects since the start, freed or not.", float64(ms.TotalAlloc)),
		gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(ms.HeapAlloc)),
		gauge("go_memstats_heap_inuse_bytes", "Bytes in in-use heap spans.", float64(ms.HeapInuse)),
		gauge("go_memstats_next_gc_bytes", "Heap size at which the next garbage collection starts.", float64(ms.NextGC)),
		gauge("go_memstats_sys_bytes", "Bytes of memory obtained from the operating system.", float64(ms.Sys)),
		gauge("go_threads", "Number of operating system threads created.", float64(threads())),
	}
}

func threads() int {
	n, _ := runtime.ThreadCreateProfile(nil)
	return n
}

// clockTicks is USER_HZ, the unit of the times in /proc; Linux reports
// them in hundredths of a second whatever the kernel's own tick rate.
const clockTicks = 100

// processFamilies reads the process' figures from /proc. Where there is
// no /proc (other systems than Linux) they are left out.
func processFamilies() []family {
	var fams []family
	stat, err := os.ReadFile("/proc/self/stat")
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is the first, as field 3 of proc(5).
	if i := strings.LastIndexByte(string(stat), ')'); err == nil && i > 0 {
		f := strings.Fields(string(stat[i+1:]))
		field := func(n int) float64 { // n as numbered in proc(5)
			if n-3 >= len(f) {
				return 0
			}
			v, _ := strconv.ParseFloat(f[n-3], 64)
			return v
		}
		fams = append(fams,
			counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", (field(14)+field(15))/clockTicks),
			gauge("process_resident_memory_bytes", "Resident memory size in bytes.", field(24)*float64(os.Getpagesize())),
			gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", field(23)))
		if boot, ok := bootTime(); ok {
			fams = append(fams, gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.",
				boot+field(22)/clockTicks))
		}
	}
	if fds, err := os.Open("/proc/self/fd"); err == nil {
		names, err := fds.Readdirnames(-1)
		fds.Close()
		if err == nil {
			// Less the descriptor that read the list.
			fams = append(fams, gauge("process_open_fds", "Number of open file descriptors.", float64(len(names)-1)))
		}
	}
	if limit, ok := maxFDs(); ok {
		fams = append(fams, gauge("process_max_fds", "Maximum number of open file descriptors.", limit))
	}
	return fams
}

// bootTime reads when the system booted, in seconds since the Unix epoch.
func bootTime() (float64, bool) {
	return procValue("/proc/stat", "btime ", 0)
}

// maxFDs reads the soft limit of open files.
func maxFDs() (float64, bool) {
	return procValue("/proc/self/limits", "Max open files ", 0)
}

// procValue finds the line of file that starts with prefix and returns its
// field number i (from 0, counted after the prefix) as a number.
func procValue(file, prefix string, i int) (float64, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			f := strings.Fields(rest)
			if i >= len(f) {
				return 0, false
			}
			v, err := strconv.ParseFloat(f[i], 64)
			return v, err == nil
		}
	}
	return 0, false
}
