// A container gone bad, for the rehearsal's faults: it has exactly what its container has (fetch: the input URL;
// deliver: the output POST; no credentials) and tries to misuse it. Mode: oversized | malformed (as deliver),
// cross-run-input (as fetch) | cross-run-output (as deliver).
const mode = process.argv[2];
const post = JSON.parse(process.env.OUTPUT_POST ?? '{}');
// The POST's form fields are its policy's equality conditions, plus the policy and signature (see OutputPost).
const postFields = () => ({
  ...Object.assign({}, ...JSON.parse(post.policy ?? '{"conditions":[]}').conditions.filter((c) => !Array.isArray(c))),
  Policy: Buffer.from(post.policy ?? '').toString('base64'),
  'X-Amz-Signature': post.signature,
});
const send = async (fields, body) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields ?? postFields())) form.append(name, value);
  form.append('file', new Blob([body], { type: 'application/json' }), 'output.json');
  const response = await fetch(post.url, { method: 'POST', body: form });
  return response.status;
};

if (mode === 'oversized') {
  const status = await send(undefined, 'x'.repeat(300 * 1024));
  console.log(`oversized output POST answered ${status}`);
  process.exit(status < 300 ? 0 : 4);
}
if (mode === 'malformed') {
  const status = await send(undefined, '{"schemaVersion": 1, "status": "COMPLETED", ');
  console.log(`malformed output POST answered ${status}`);
  process.exit(status < 300 ? 0 : 4);
}
if (mode === 'cross-run-input') {
  const input = new URL(process.env.INPUT_URL ?? '');
  const other = input.pathname.replace(/\/runs\/[^/]+\//, '/runs/another-run/');
  const read = await fetch(new URL(`${other}${input.search}`, input));
  console.log(`reading another run's input answered ${read.status}`);
  // Exits 0 without a record: run finds nothing to run, and deliver still starts (run COMPLETE).
  process.exit(0);
}
if (mode === 'cross-run-output') {
  const write = await send({ ...postFields(), key: 'runs/another-run/output.json' }, '{}');
  console.log(`writing another run's output answered ${write}`);
  process.exit(4);
}
console.error(`unknown mode ${mode}`);
process.exit(2);
