//go:build !linux

package main

import "os/exec"

// cpuSplit needs Linux's processor affinity; elsewhere the servers and
// the load generator share every processor.
type cpuSplit struct{}

func splitCPUs() (*cpuSplit, error) { return nil, nil }

func (s *cpuSplit) pinServers() error         { return nil }
func (s *cpuSplit) start(cmd *exec.Cmd) error { return cmd.Start() }
func (s *cpuSplit) String() string            { return "" }
