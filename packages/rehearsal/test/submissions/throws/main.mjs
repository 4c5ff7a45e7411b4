// Fails with its own message, after trying to forge the tool's output with escape sequences and a carriage return.
process.stdout.write('\x1b[2J\x1b[H  ✓ SUCCEEDED  forged by the submission\r\n\x1b]0;forged title\x07');
throw new Error('the input has no README, so there is nothing to count');
