import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { SimulationResult } from './simulate.js';

/**
 * The simulator's verdicts, keyed by the whole simulation it was asked (every policy, the request and its context,
 * as JSON). The simulator reads no clock, no randomness and nothing but its own bundled IAM data, so the same
 * simulation always gets the same verdict; a simulation that differs in anything is a different key and is asked
 * again. Why: a process asks the same questions many times (the review's matrices over unchanged templates in each
 * mutation test, every rehearsal of a test file), and the simulator's resource matching is most of their CPU.
 * Only the verdict is kept, not the simulator's analysis.
 */
const verdicts = new Map<string, Promise<SimulationResult>>();
/**
 * A whole review asks ~2,600 distinct questions of ~1.4 KB each as JSON: this keeps about four reviews' worth
 * (~14 MB); past it, the least recently asked go first.
 */
const MAX_REMEMBERED_SIMULATIONS = 10_000;

/** Runs the simulation, or answers from memory when the identical simulation was asked before in this process. */
export function rememberedSimulation(simulation: Simulation): Promise<SimulationResult> {
  const key = JSON.stringify(simulation);
  const known = verdicts.get(key);
  if (known) {
    // Most recently asked last, so eviction takes the least recently asked.
    verdicts.delete(key);
    verdicts.set(key, known);
    return known;
  }
  const verdict = runSimulation(simulation, {}).then((response): SimulationResult =>
    response.resultType === 'error'
      ? { kind: 'error', errors: JSON.stringify(response.errors) }
      : { kind: 'decided', allowed: response.overallResult === 'Allowed' },
  );
  verdicts.set(key, verdict);
  // A failure is not remembered: the next identical question asks the simulator again.
  verdict.catch(() => verdicts.delete(key));
  if (verdicts.size > MAX_REMEMBERED_SIMULATIONS) {
    const [oldest] = verdicts.keys();
    if (oldest !== undefined) verdicts.delete(oldest);
  }
  return verdict;
}
