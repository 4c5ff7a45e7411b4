// Lists the synthesized CloudFormation templates of the three account apps (the main job until the rehearsal lands).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const apps = ['orchestrator-account', 'sandbox-account', 'data-account'];
let missing = 0;
for (const app of apps) {
  const dir = join('apps', app, 'cdk.out');
  const templates = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.template.json')) : [];
  if (templates.length === 0) missing += 1;
  for (const t of templates) console.log(`${app.padEnd(22)} ${relative(process.cwd(), join(dir, t))}`);
}
if (missing > 0) {
  console.error(`${missing} account app(s) have no synthesized template`);
  process.exit(1);
}
