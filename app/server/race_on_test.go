//go:build race

package server_test

// raceDetector tells whether the race detector is on. The sweeps that send
// thousands of sequential requests skip themselves under it: they find
// refusals, not races, and take several times longer instrumented. .ci/run
// runs them again without -race.
const raceDetector = true
