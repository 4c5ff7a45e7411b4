import type { ContainerModel } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { runnerContainerConfinement } from '../../src/rules/runner-container-confinement.js';
import { surfaceOf, taskDefinition } from './surface.js';

const confined = (name: string, environmentNames: string[]): ContainerModel => ({
  name,
  user: '10001:10001',
  readonlyRootFilesystem: true,
  privileged: false,
  addedCapabilities: [],
  droppedCapabilities: ['ALL'],
  environmentNames,
});
const runner = (containers: ContainerModel[]) => ({ ...taskDefinition('airlock-example-runner'), containers });
const compliantContainers = () => [
  confined('fetch', ['AIRLOCK_DATA_URL_PREFIX', 'RUN_MAX_SECONDS']),
  confined('run', ['RUN_MAX_SECONDS']),
  confined('deliver', ['AIRLOCK_DATA_URL_PREFIX']),
];
const check = (containers: ContainerModel[]) =>
  runnerContainerConfinement.check(surfaceOf({ taskDefinitions: [runner(containers)] }));

describe('runner-container-confinement', () => {
  it('is compliant for fetch, run and deliver confined as the contract says', () => {
    expect(check(compliantContainers())).toEqual([
      { account: 'sandbox', subject: 'task definition airlock-example-runner', compliance: 'compliant' },
    ]);
  });

  it('names each way a container escapes its confinement', () => {
    const [fetch, run, deliver] = compliantContainers();
    const messages = check([
      { ...fetch!, user: 'root' },
      {
        ...run!,
        readonlyRootFilesystem: false,
        privileged: true,
        addedCapabilities: ['SYS_ADMIN'],
        droppedCapabilities: [],
      },
      { ...deliver!, environmentNames: ['AIRLOCK_DATA_URL_PREFIX', 'INPUT_URL'] },
    ]).map((v) => (v.compliance === 'non-compliant' ? v.message : v.compliance));
    expect(messages).toEqual([
      'container fetch runs as root, not a non-root user',
      'container run has a writable root file system',
      'container run is privileged',
      'container run adds capabilities SYS_ADMIN',
      'container run does not drop ALL capabilities',
      'container deliver has INPUT_URL in its fixed environment',
      'container deliver has INPUT_URL in its fixed environment, which its contract does not list',
    ]);
  });

  it('fails a task without exactly the three containers', () => {
    expect(check(compliantContainers().slice(0, 2))).toContainEqual(
      expect.objectContaining({ message: 'has containers fetch, run, not exactly fetch, run, deliver' }),
    );
  });
});
