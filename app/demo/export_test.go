package demo

// ReplayHomework replays the demo homework as it stands at a given hour,
// for tests of seeding at a later time.
var ReplayHomework = replayHomework
