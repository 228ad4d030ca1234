package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// profiled runs fn, the measured part of a scenario, under the CPU profiler
// when Config.ProfileDir is set, writing DIR/NAME.pprof (NAME-2.pprof and
// so on when a name comes again). Setup is left out, so the profile shows
// what limits the figure.
func (r *runner) profiled(name string, fn func()) {
	if r.cfg.ProfileDir == "" {
		fn()
		return
	}
	if r.profiles == nil {
		r.profiles = map[string]int{}
	}
	r.profiles[name]++
	if n := r.profiles[name]; n > 1 {
		name = fmt.Sprintf("%s-%d", name, n)
	}
	path := filepath.Join(r.cfg.ProfileDir, name+".pprof")
	err := os.MkdirAll(r.cfg.ProfileDir, 0o755)
	var f *os.File
	if err == nil {
		f, err = os.Create(path)
	}
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(r.cfg.Progress, "…   no profile %s: %v\n", path, err)
		if f != nil {
			f.Close()
		}
		fn()
		return
	}
	defer func() {
		pprof.StopCPUProfile()
		f.Close()
		fmt.Fprintf(r.cfg.Progress, "…   wrote %s\n", path)
	}()
	fn()
}
