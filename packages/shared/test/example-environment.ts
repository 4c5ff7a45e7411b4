import { parseEnvironment, type AirlockEnvironment } from '../src/index.js';

/** The checked-in example environment's content, parsed the way the apps parse it. */
export const exampleFile = {
  prefix: 'airlock',
  region: 'eu-west-1',
  accounts: { orchestrator: '111111111111', sandbox: '222222222222', data: '333333333333' },
  run: { timeoutSeconds: 300 },
  sandbox: { s3PrefixListId: 'pl-6da54004', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
  data: { s3PrefixListId: 'pl-6da54004', dynamodbPrefixListId: 'pl-6fa54006' },
  organization: { id: 'o-exampleorgid' },
  github: { repository: 'example-org/airlock' },
};

export const exampleEnv: AirlockEnvironment = parseEnvironment('example', exampleFile, 'example.json');
