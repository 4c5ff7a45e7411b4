import { describe, expect, it } from 'vitest';
import { readDefinition } from '../src/state-machine-definition.js';

describe('readDefinition', () => {
  it('applies DefinitionSubstitutions as text, so a substituted value is read as Step Functions will run it', () => {
    const read = readDefinition({
      DefinitionString: '{"States":{"A":{"Type":"Task","Resource":"${fn}","Parameters":{"Cluster":"c"${extra}}}}}',
      DefinitionSubstitutions: { fn: 'arn:aws:states:::ecs:runTask.sync', extra: ',"Overrides":{"TaskRoleArn":"r"}' },
    });
    expect(read).toEqual({
      definition: {
        States: {
          A: {
            Type: 'Task',
            Resource: 'arn:aws:states:::ecs:runTask.sync',
            Parameters: { Cluster: 'c', Overrides: { TaskRoleArn: 'r' } },
          },
        },
      },
    });
  });

  it('reads a Definition object too', () => {
    expect(readDefinition({ Definition: { States: { P: { Type: 'Pass', End: true } } } })).toEqual({
      definition: { States: { P: { Type: 'Pass', End: true } } },
    });
  });

  it.each([
    [{ DefinitionS3Location: { Bucket: 'b', Key: 'k' } }, /read from S3 at deploy/],
    [{ DefinitionString: '{"States":{"A":"${missing}"}}' }, /\$\{missing\} has no DefinitionSubstitutions entry/],
    [
      { DefinitionString: '{"States":{"A":"${x}"}}', DefinitionSubstitutions: { x: { 'Fn::ImportValue': 'y' } } },
      /DefinitionSubstitutions x does not resolve to a value/,
    ],
    [{ DefinitionString: { 'Fn::ImportValue': 'y' } }, /not plain text once resolved/],
    [{ DefinitionString: '{"States":${x}', DefinitionSubstitutions: { x: '{' } }, /not JSON once substituted/],
  ])('refuses what the template does not hold (%#), saying why', (props, why) => {
    const read = readDefinition(props);
    expect('unresolved' in read && read.unresolved).toMatch(why);
  });
});
