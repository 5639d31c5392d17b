package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cpuSplit shares the processors this process may use between the
// servers (the first half) and the load generator (the rest), as if the
// generator ran on a machine of its own: on shared processors the
// operating system's time slices, given to the generator while a request
// waits, count as the servers' latency, and the generator's own work
// lowers the rate a light server can reach. PostgreSQL, a server of its
// own, keeps every processor.
type cpuSplit struct{ servers, generator []int }

// splitCPUs is the split of this process's processors, or nil when it
// has fewer than two.
func splitCPUs() (*cpuSplit, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("processors of this process: %w", err)
	}
	var cpus []int
	for cpu := 0; len(cpus) < set.Count(); cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	if len(cpus) < 2 {
		return nil, nil
	}
	half := len(cpus) / 2
	return &cpuSplit{servers: cpus[:half], generator: cpus[half:]}, nil
}

// pinServers keeps every thread of this process, and so every thread
// they start, on the servers' processors, with as many Go processors.
func (s *cpuSplit) pinServers() error {
	if err := pinThreads(cpuSet(s.servers)); err != nil {
		return err
	}
	runtime.GOMAXPROCS(len(s.servers))
	return nil
}

// pinThreads moves every thread of this process to set. A thread started
// by one not yet moved while the threads are listed would keep its
// creator's processors, so they are listed again until none is new.
func pinThreads(set unix.CPUSet) error {
	pinned := map[int]bool{}
	for {
		tids, err := threads()
		if err != nil {
			return err
		}
		fresh := 0
		for _, tid := range tids {
			if pinned[tid] {
				continue
			}
			// A thread that ended since the listing is no longer there to pin.
			if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("pin thread %d: %w", tid, err)
			}
			pinned[tid], fresh = true, fresh+1
		}
		if fresh == 0 {
			return nil
		}
	}
}

// threads lists the ids of this process's threads.
func threads() ([]int, error) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var tids []int
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// start starts cmd on the generator's processors: a child inherits the
// processors of the thread that starts it, so this goroutine's thread
// moves there for the start and back afterwards. The child's Go runtime
// sizes itself to them.
func (s *cpuSplit) start(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var was unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		return err
	}
	generator := cpuSet(s.generator)
	if err := unix.SchedSetaffinity(0, &generator); err != nil {
		return fmt.Errorf("pin the load generator: %w", err)
	}
	err := cmd.Start()
	if e := unix.SchedSetaffinity(0, &was); e != nil && err == nil {
		err = fmt.Errorf("pin back after starting the load generator: %w", e)
	}
	return err
}

func (s *cpuSplit) String() string {
	return fmt.Sprintf("servers on CPU %s (GOMAXPROCS %d), load generator on CPU %s, PostgreSQL on all",
		cpuList(s.servers), len(s.servers), cpuList(s.generator))
}

func cpuSet(cpus []int) unix.CPUSet {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return set
}

func cpuList(cpus []int) string {
	parts := make([]string, len(cpus))
	for i, c := range cpus {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}
