// The `submission-crashes` fault: a submission that fails on its own.
console.error('boom');
process.exit(3);
