import './polyfill.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

/** Definitions (as JSON text) this process has validated: every rehearsal reads the same few from the templates. */
const validated = new Set<string>();

const interpreter = createRequire(import.meta.url).resolve('aws-local-stepfunctions');
const validatorManifest = createRequire(interpreter).resolve('asl-validator/package.json');
/** Where each process leaves a mark for a definition it validated, in the workspace's node_modules/.cache. */
export const validatedDefinitionsDir = join(
  interpreter.slice(0, interpreter.lastIndexOf('/node_modules/') + '/node_modules'.length),
  '.cache',
  'airlock-valid-state-machines',
);
let validatorIdentity: string | undefined;

/** The mark's name: the definition's bytes and the exact interpreter and validator that accepted them. */
export function validationMarkOf(definition: object): string {
  validatorIdentity ??= createHash('sha256')
    .update(readFileSync(interpreter))
    .update(readFileSync(validatorManifest))
    .digest('hex');
  return join(
    validatedDefinitionsDir,
    createHash('sha256').update(validatorIdentity).update('\0').update(JSON.stringify(definition)).digest('hex'),
  );
}

/**
 * A state machine for `definition`, validated against the Amazon States Language (ARNs unchecked: the templates' are
 * resolved locally) unless this or an earlier process validated that exact definition with the same interpreter
 * and validator. The validator compiles its JSON schemas anew on every call (about 0.5 s of CPU per definition),
 * which every `npm start` and every test process paid five times over. A mark is left only after validation
 * passed, so an invalid definition is refused every time. The validator is given a copy because it writes defaults
 * (`QueryLanguage`) into what it checks, which would change the key.
 */
export function stateMachineOf(definition: object): StateMachine {
  const text = JSON.stringify(definition);
  if (!validated.has(text)) {
    const mark = validationMarkOf(definition);
    if (!existsSync(mark)) {
      void new StateMachine(structuredClone(definition) as never, { validationOptions: { checkArn: false } });
      mkdirSync(validatedDefinitionsDir, { recursive: true });
      writeFileSync(mark, '');
    }
    validated.add(text);
  }
  return new StateMachine(definition as never, { validationOptions: { noValidate: true } });
}
