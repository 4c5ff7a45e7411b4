export { createContainerCgroup, type ContainerCgroup, type ResourceLimits } from './cgroup-limits.js';
export {
  startConfinedContainer,
  OUTPUT_LIMIT_BYTES,
  type ConfinedContainer,
  type ContainerExit,
} from './confined-container.js';
export {
  createConfinedTask,
  SOCKET_BUFFER_BYTES,
  type ConfinedTask,
  type ConfinedTaskOptions,
  type ForwardTarget,
  type KernelConfinementMode,
} from './confined-task.js';
export {
  confinementOrFail,
  detectConfinement,
  REQUIRE_CONFINEMENT_VARIABLE,
  type ConfinementAvailability,
  type ConfinementMode,
} from './confinement-mode.js';
export {
  containerSpecFromDefinition,
  type CfnContainerDefinition,
  type ConfinedContainerSpec,
  type ContainerSpecChoices,
} from './container-spec.js';
export { childrenCpuMs, measureStartCost, type StartCost } from './start-cost.js';
export { perlLaunchStep } from './perl-launch-step.js';
export { systemdUserScope, type SystemdUserScope } from './systemd-user-scope.js';
export { readStat } from './process-tree.js';
