import type { ContainerModel, TaskDefinitionModel } from '@airlock/cloud-assembly';
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
  environmentFiles: [],
  secrets: [],
  repositoryCredentials: false,
  initProcessEnabled: true,
  devices: [],
  dockerSecurityOptions: [],
  systemControls: [],
  ulimits: [],
  mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch', readOnly: name === 'deliver' }],
  volumesFrom: [],
});
const runner = (containers: ContainerModel[]): TaskDefinitionModel => ({
  ...taskDefinition('airlock-example-runner'),
  volumes: [{ name: 'scratch', source: 'bind' }],
  containers,
});
const compliantContainers = () => [
  confined('fetch', ['AIRLOCK_DATA_URL_PREFIX', 'RUN_MAX_SECONDS']),
  confined('run', ['RUN_MAX_SECONDS']),
  confined('deliver', ['AIRLOCK_DATA_URL_PREFIX']),
];
const check = (containers: ContainerModel[], task: Partial<TaskDefinitionModel> = {}) =>
  runnerContainerConfinement.check(surfaceOf({ taskDefinitions: [{ ...runner(containers), ...task }] }));
const messagesOf = (verdicts: ReturnType<typeof check>) =>
  verdicts.map((v) => (v.compliance === 'non-compliant' ? v.message : v.compliance));

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

  it('names each shared namespace, secret, host resource and foreign mount', () => {
    const [fetch, run, deliver] = compliantContainers();
    const messages = messagesOf(
      check(
        [
          { ...fetch!, environmentFiles: ['"arn:aws:s3:::b/f.env"'], secrets: ['TOKEN'], repositoryCredentials: true },
          {
            ...run!,
            devices: ['/dev/kvm:/dev/kvm'],
            dockerSecurityOptions: ['seccomp:unconfined'],
            systemControls: ['net.ipv4.ip_forward=1'],
            volumesFrom: ['deliver'],
            mountPoints: [
              { sourceVolume: 'scratch', containerPath: '/scratch', readOnly: false },
              { sourceVolume: 'scratch', containerPath: '/etc', readOnly: false },
              { sourceVolume: 'shared', containerPath: '/scratch', readOnly: false },
            ],
          },
          { ...deliver!, mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch', readOnly: false }] },
        ],
        {
          pidMode: 'task',
          ipcMode: 'host',
          volumes: [
            { name: 'scratch', source: 'bind' },
            { name: 'shared', source: 'EFS' },
          ],
        },
      ),
    );
    expect(messages).toEqual([
      'shares a process namespace (PidMode task); each container must have its own',
      'shares an IPC namespace (IpcMode host); each container must have its own',
      "volume shared comes from EFS, not the task's own ephemeral storage",
      'container fetch loads environment files "arn:aws:s3:::b/f.env"',
      'container fetch receives secrets TOKEN',
      'container fetch pulls with repository credentials (a secret)',
      'container run maps host devices /dev/kvm:/dev/kvm',
      'container run sets docker security options seccomp:unconfined',
      'container run sets kernel parameters net.ipv4.ip_forward=1',
      'container run mounts the volumes of deliver',
      "container run mounts scratch at /etc, not the task's scratch volume at /scratch",
      "container run mounts shared at /scratch, not the task's scratch volume at /scratch",
      'container deliver mounts the scratch volume writable, not read-only',
    ]);
  });
});
