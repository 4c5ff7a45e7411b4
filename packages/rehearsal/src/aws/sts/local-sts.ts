import { randomUUID } from 'node:crypto';
import type { PolicyDocument } from '@airlock/cloud-assembly';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry } from '../../iam/credentials.js';
import { escapeXml, listen, readBody } from '../http-server.js';

/**
 * STS's AssumeRole for the rehearsal (the SDK reaches it through AWS_ENDPOINT_URL_STS): the caller is known by its
 * access key, the hop is authorized against the synthesized trust and identity policies, and the session's
 * credentials (with its session policy) are registered for the fronts to verify and authorize.
 */
export function startLocalSts(registry: CredentialRegistry, authorizer: Authorizer) {
  return listen(async (req, res) => {
    const params = new URLSearchParams((await readBody(req)).toString('utf8'));
    const caller = registry.get(accessKeyOf(String(req.headers.authorization ?? '')) ?? '');
    const reply = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(xml);
    };
    if (params.get('Action') === 'GetCallerIdentity' && caller) {
      // As AWS answers it: needs no permission, names the role's account and the caller.
      const account = caller.roleArn.split(':')[4] ?? '';
      reply(
        200,
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${escapeXml(caller.roleArn)}</Arn><UserId>AROA:${escapeXml(caller.accessKeyId)}</UserId><Account>${account}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    if (params.get('Action') !== 'AssumeRole' || !caller) {
      reply(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only AssumeRole and GetCallerIdentity by a known caller</Message></Error></ErrorResponse>`,
      );
      return;
    }
    const roleArn = params.get('RoleArn') ?? '';
    try {
      await authorizer.assumeRole(caller.roleArn, roleArn, params.get('ExternalId') ?? undefined);
    } catch (error) {
      if (!(error instanceof AccessDenied)) throw error;
      reply(
        403,
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    const policy = params.get('Policy');
    const session = registry.session(
      roleArn,
      Number(params.get('DurationSeconds') ?? 3600),
      policy ? (JSON.parse(policy) as PolicyDocument) : undefined,
    );
    reply(
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${escapeXml(session.sessionToken ?? '')}</SessionToken><Expiration>${new Date(session.expiresAt ?? 0).toISOString()}</Expiration>` +
        `</Credentials><AssumedRoleUser><AssumedRoleId>AROA:${escapeXml(params.get('RoleSessionName') ?? '')}</AssumedRoleId>` +
        `<Arn>${escapeXml(roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/'))}/${escapeXml(params.get('RoleSessionName') ?? '')}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  });
}
