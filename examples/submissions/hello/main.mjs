// Example submission: counts files and lines of code per language in the submitted source tree and writes the
// counts to the result file the runner names. It needs nothing but Node's standard library.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const LANGUAGES = {
  '.js': 'JavaScript',
  '.mjs': 'JavaScript',
  '.cjs': 'JavaScript',
  '.ts': 'TypeScript',
  '.py': 'Python',
  '.go': 'Go',
  '.rs': 'Rust',
  '.java': 'Java',
  '.json': 'JSON',
  '.md': 'Markdown',
  '.sh': 'Shell',
};

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

const inputDir = process.env.AIRLOCK_INPUT_DIR ?? '.';
const languages = {};
for (const file of files(inputDir)) {
  const language = LANGUAGES[extname(file)] ?? 'Other';
  const text = readFileSync(file, 'utf8');
  const lines = text === '' ? 0 : text.split('\n').filter((line) => line.trim() !== '').length;
  languages[language] ??= { files: 0, lines: 0 };
  languages[language].files += 1;
  languages[language].lines += lines;
}
writeFileSync(process.env.AIRLOCK_RESULT_FILE ?? 'result.json', JSON.stringify({ languages }));
console.log(`counted ${Object.keys(languages).length} languages`);
