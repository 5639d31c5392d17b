package main

import (
	"os/exec"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// The split gives the servers and the load generator halves of this
// process's processors that do not overlap, and a process started through
// it runs on the generator's half only.
func TestSplitCPUsStartsTheGeneratorOnItsHalf(t *testing.T) {
	split, err := splitCPUs()
	if err != nil {
		t.Fatal(err)
	}
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		t.Fatal(err)
	}
	if own.Count() < 2 {
		if split != nil {
			t.Fatalf("one processor split as %v", split)
		}
		t.Skip("one processor: nothing to split")
	}
	all := append(slices.Clone(split.servers), split.generator...)
	if len(split.servers) == 0 || len(split.generator) == 0 || len(all) != own.Count() {
		t.Fatalf("split %v of %d processors", split, own.Count())
	}
	for _, c := range all {
		if !own.IsSet(c) || slices.Contains(split.generator, c) == slices.Contains(split.servers, c) {
			t.Fatalf("processor %d in split %v", c, split)
		}
	}
	cmd := exec.Command("sleep", "10")
	if err := split.start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var child unix.CPUSet
	if err := unix.SchedGetaffinity(cmd.Process.Pid, &child); err != nil {
		t.Fatal(err)
	}
	if child != cpuSet(split.generator) {
		t.Errorf("the child runs on %v, want the generator's processors %v", child, split.generator)
	}
}

// Pinning the servers moves every thread of the process, and Go's
// processors follow; the test puts the process back afterwards.
func TestPinServersMovesEveryThread(t *testing.T) {
	split, err := splitCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if split == nil {
		t.Skip("one processor: nothing to split")
	}
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		t.Fatal(err)
	}
	procs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() {
		if err := pinThreads(own); err != nil {
			t.Error(err)
		}
		runtime.GOMAXPROCS(procs)
	})
	if err := split.pinServers(); err != nil {
		t.Fatal(err)
	}
	if got := runtime.GOMAXPROCS(0); got != len(split.servers) {
		t.Errorf("GOMAXPROCS %d, want %d", got, len(split.servers))
	}
	tids, err := threads()
	if err != nil || len(tids) == 0 {
		t.Fatalf("threads: %v, %v", tids, err)
	}
	for _, tid := range tids {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err != nil {
			continue // ended since listed
		}
		if set != cpuSet(split.servers) {
			t.Errorf("thread %d runs on %v, want the servers' %v", tid, set, split.servers)
		}
	}
}
