import { PRICE_TABLE } from './price-table.js';
import type { RunCost, RunUsage } from './run-cost.js';

/** The budget of orchestration per run (issue 17): state transitions across both Standard workflows, Lambda calls. */
export const ORCHESTRATION_BUDGET = { transitions: 16, lambdaInvocations: 3 } as const;

const usd = (value: number) => `$${value.toFixed(value < 0.01 ? 6 : 2)}`;

/** How `npm start` and the benchmark print a run's cost: the total, each service's share, and the orchestration. */
export function costLines(cost: RunCost, usage: RunUsage): string[] {
  const shares = [...cost.lines]
    .filter((l) => l.usd > 0)
    .sort((a, b) => b.usd - a.usd)
    .map((l) => `${l.service} ${((100 * l.usd) / cost.totalUsd).toFixed(0)} %`);
  const lambdas = usage.lambdaInvocations.length;
  return [
    `AWS cost of this run: ${usd(cost.totalUsd)}, ${usd(cost.totalUsd * 1000)} per 1,000 runs, at ${PRICE_TABLE.region} list prices read ${PRICE_TABLE.read} (durations as rehearsed; KMS counted at most)`,
    `  ${shares.join(', ')}`,
    `  orchestration: ${usage.standardTransitions} state transitions (budget ${ORCHESTRATION_BUDGET.transitions}), ${lambdas} Lambda invocations (budget ${ORCHESTRATION_BUDGET.lambdaInvocations})`,
  ];
}
