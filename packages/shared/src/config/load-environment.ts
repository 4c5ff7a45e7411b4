import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import {
  ACCOUNT_ROLES,
  ENVIRONMENT_NAME,
  MAX_ENVIRONMENT_NAME,
  environmentFileSchema,
  partitionOf,
  type AirlockEnvironment,
} from './environment-schema.js';
import { derivedNameProblems } from './name-rules.js';

/** Where the checked-in environment files live: one `<name>.json` per environment. */
export const ENVIRONMENTS_DIRECTORY = fileURLToPath(new URL('../../environments/', import.meta.url));
export const DEFAULT_ENVIRONMENT = 'example';
/** Environment variable and CDK context key (`-c env=<name>`) that select an environment. */
export const ENVIRONMENT_VARIABLE = 'AIRLOCK_ENV';
export const ENVIRONMENT_CONTEXT_KEY = 'env';

/** CDK context wins over the environment variable; the checked-in `example` is the default. */
export function selectEnvironmentName(contextValue: unknown, variables: NodeJS.ProcessEnv = process.env): string {
  if (typeof contextValue === 'string' && contextValue !== '') return contextValue;
  return variables[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT;
}

export function loadEnvironment(name: string, directory: string = ENVIRONMENTS_DIRECTORY): AirlockEnvironment {
  const file = join(directory, `${name}.json`);
  const shown = relative(process.cwd(), file) || file;
  if (!ENVIRONMENT_NAME.test(name) || name.length > MAX_ENVIRONMENT_NAME) {
    throw new ConfigError(shown, [
      `environment name "${name}" must be at most ${MAX_ENVIRONMENT_NAME} lowercase letters, digits and single hyphens, starting with a letter. Fix: rename the file`,
    ]);
  }
  if (!existsSync(file)) {
    const known = existsSync(directory)
      ? readdirSync(directory)
          .filter((f) => f.endsWith('.json'))
          .map((f) => basename(f, '.json'))
      : [];
    throw new ConfigError(shown, [
      `no such environment file. Fix: create it, or choose one of: ${known.join(', ') || '(none)'}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(shown, [`is not valid JSON (${(error as Error).message}). Fix: correct the syntax`]);
  }
  return parseEnvironment(name, raw, shown);
}

/** Validates an environment's content; every problem is reported, not just the first. */
export function parseEnvironment(name: string, raw: unknown, file: string): AirlockEnvironment {
  const parsed = environmentFileSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(describeIssue)),
    ...duplicateAccountProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(file, problems);
  const env: AirlockEnvironment = { ...parsed.data, environment: name, partition: partitionOf(parsed.data.region) };
  const nameProblems = [...derivedNameProblems(env), ...foreignZoneProblems(env)];
  if (nameProblems.length > 0) throw new ConfigError(file, nameProblems);
  return env;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.') || '(file)';
  if (issue.code === 'unrecognized_keys') {
    return `${field}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}. Fix: remove it or check the spelling`;
  }
  return `${field}: ${issue.message}`;
}

// Checked on the raw input so it is reported alongside any other problem, not only once the rest is valid.
function duplicateAccountProblems(raw: unknown): string[] {
  const accounts = (raw as { accounts?: Record<string, unknown> } | null)?.accounts;
  if (typeof accounts !== 'object' || accounts === null) return [];
  const problems: string[] = [];
  ACCOUNT_ROLES.forEach((role, i) => {
    const earlier = ACCOUNT_ROLES.slice(0, i).find(
      (other) => typeof accounts[role] === 'string' && accounts[other] === accounts[role],
    );
    if (earlier) {
      problems.push(
        `accounts.${role}: is the same account as accounts.${earlier} (${String(accounts[role])}). Each account is an isolation ` +
          'boundary: in one account the untrusted sandbox or the data would be reachable without the cross-account trust. ' +
          'Fix: use a separate AWS account for each of orchestrator, sandbox and data',
      );
    }
  });
  return problems;
}

// A zone of another region would only fail at deploy, after the rest of the stack was created.
function foreignZoneProblems(env: AirlockEnvironment): string[] {
  return (env.data.availabilityZones ?? [])
    .map((zone, i) => ({ zone, i }))
    .filter(({ zone }) => !(zone.startsWith(env.region) && zone.length === env.region.length + 1))
    .map(
      ({ zone, i }) =>
        `data.availabilityZones.${i}: "${zone}" is not a zone of region ${env.region}. Fix: use e.g. "${env.region}a"`,
    );
}
