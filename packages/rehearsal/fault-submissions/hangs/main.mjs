// The `submission-hangs` fault: a submission that never ends; the runner must kill it at the deadline.
for (;;) {
  // Spin without yielding.
}
