import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

type SimulationResponse = Awaited<ReturnType<typeof runSimulation>>;

/**
 * The simulator's answers, keyed by the whole simulation it was asked (every policy, the request and its context,
 * as JSON). The simulator reads nothing else (no clock, no randomness, only its own bundled IAM data), so the same
 * simulation always gets the same answer; a simulation that differs in anything is a different key and is asked
 * again. Why: a process asks the same questions many times (the review's matrices over unchanged templates in each
 * mutation test, every rehearsal of a test file, every run of `npm start -- --runs 50`), and the simulator's
 * resource matching is most of their CPU.
 */
const answers = new Map<string, Promise<SimulationResponse>>();
/** Enough for every distinct question of a review and of a long rehearsal; the oldest go first past it. */
const MAX_REMEMBERED_SIMULATIONS = 20_000;

/** `runSimulation`, answered from memory when the identical simulation was asked before in this process. */
export function rememberedSimulation(simulation: Simulation): Promise<SimulationResponse> {
  const key = JSON.stringify(simulation);
  const known = answers.get(key);
  if (known) return known;
  const answer = runSimulation(simulation, {});
  answers.set(key, answer);
  // A failure is not remembered: the next identical question asks the simulator again.
  answer.catch(() => answers.delete(key));
  if (answers.size > MAX_REMEMBERED_SIMULATIONS) {
    const [oldest] = answers.keys();
    if (oldest !== undefined) answers.delete(oldest);
  }
  return answer;
}
