import './polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';

/** Definitions (as JSON text) this process has validated: every rehearsal reads the same few from the templates. */
const validated = new Set<string>();

/**
 * A state machine for `definition`, validated against the Amazon States Language (ARNs unchecked: the templates' are
 * resolved locally) the first time this process sees that exact definition. The validator compiles its JSON schemas
 * anew on every call (about 0.5 s of CPU per definition), which every `Rehearsal.start` paid five times over. It is
 * given a copy because it writes defaults (`QueryLanguage`) into what it checks, which would change the key.
 */
export function stateMachineOf(definition: object): StateMachine {
  const text = JSON.stringify(definition);
  if (!validated.has(text)) {
    void new StateMachine(structuredClone(definition) as never, { validationOptions: { checkArn: false } });
    validated.add(text);
  }
  return new StateMachine(definition as never, { validationOptions: { noValidate: true } });
}
