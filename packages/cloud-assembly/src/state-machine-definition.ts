/** A state machine's definition as Step Functions will run it, or why the review cannot know it from the template. */
export type ReadDefinition = { readonly definition: Definition } | { readonly unresolved: string };
/** The parts of ASL the review reads. */
export interface Definition {
  readonly QueryLanguage?: string;
  readonly States?: Record<string, unknown>;
}

/**
 * Reads a state machine's definition the way Step Functions builds it at deploy: the `Definition` object or the
 * `DefinitionString` text (intrinsics already resolved), with each `${name}` replaced by its
 * `DefinitionSubstitutions` value, as plain text (so a value can add keys as well as fill one). Anything the
 * template does not hold (an S3 definition, an unresolved intrinsic, a placeholder without a value, text that is not
 * JSON afterwards) is reported as unresolved, never guessed: a rule refuses a definition it cannot read.
 */
export function readDefinition(resolvedProps: Readonly<Record<string, unknown>>): ReadDefinition {
  if (resolvedProps.DefinitionS3Location !== undefined)
    return { unresolved: 'its definition is read from S3 at deploy (DefinitionS3Location), outside the template' };
  const text =
    resolvedProps.Definition !== undefined ? JSON.stringify(resolvedProps.Definition) : resolvedProps.DefinitionString;
  if (typeof text !== 'string')
    return { unresolved: `its DefinitionString is not plain text once resolved: ${JSON.stringify(text)}` };
  const substitutions = (resolvedProps.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const substituted = text.replace(/\$\{([^}]*)\}/g, (placeholder, name: string) => {
    const value = substitutions[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    problems.push(
      value === undefined
        ? `${placeholder} has no DefinitionSubstitutions entry`
        : `DefinitionSubstitutions ${name} does not resolve to a value: ${JSON.stringify(value)}`,
    );
    return placeholder;
  });
  if (problems.length > 0) return { unresolved: problems.join('; ') };
  try {
    return { definition: JSON.parse(substituted) as Definition };
  } catch (error) {
    return { unresolved: `its definition is not JSON once substituted (${(error as Error).message})` };
  }
}
