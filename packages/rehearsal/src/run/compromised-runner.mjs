// A runner gone bad, for the rehearsal's faults: it has exactly what the real runner has (two presigned requests
// and a deadline, no credentials) and tries to misuse them. Mode: oversized | malformed | cross-run.
const mode = process.argv[2];
const post = JSON.parse(process.env.OUTPUT_POST ?? '{}');
const send = async (fields, body) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: 'application/json' }), 'output.json');
  const response = await fetch(post.url, { method: 'POST', body: form });
  return response.status;
};

if (mode === 'oversized') {
  const status = await send(post.fields, 'x'.repeat(300 * 1024));
  console.log(`oversized output POST answered ${status}`);
  process.exit(status < 300 ? 0 : 4);
}
if (mode === 'malformed') {
  const status = await send(post.fields, '{"schemaVersion": 1, "status": "COMPLETED", ');
  console.log(`malformed output POST answered ${status}`);
  process.exit(status < 300 ? 0 : 4);
}
if (mode === 'cross-run') {
  const input = new URL(process.env.INPUT_URL ?? '');
  const other = input.pathname.replace(/\/runs\/[^/]+\//, '/runs/another-run/');
  const read = await fetch(new URL(`${other}${input.search}`, input));
  const write = await send({ ...post.fields, key: 'runs/another-run/output.json' }, '{}');
  console.log(
    `reading another run's input answered ${read.status}; writing another run's output answered ${write.status}`,
  );
  process.exit(4);
}
console.error(`unknown mode ${mode}`);
process.exit(2);
