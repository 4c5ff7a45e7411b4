import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type Finding, type TrustRule } from './finding.js';

const HOST = 'token.actions.githubusercontent.com';

/** OIDC trust (the pipelines' deploy roles): audience sts.amazonaws.com and one exact repository and environment. */
export const federatedTrust: TrustRule = (surface) => {
  const findings: Finding[] = [];
  const repository = surface.env.github?.repository;
  for (const role of surface.roles) {
    for (const s of allowStatements(role.trust.Statement).filter((st) =>
      principalsOf(st).some((p) => p.kind === 'Federated'),
    )) {
      const finding = (message: string) =>
        findings.push({ rule: 'federated-trust', account: role.account, subject: `role ${role.name}`, message });
      for (const p of principalsOf(s).filter((pr) => pr.kind === 'Federated')) {
        if (!p.value.endsWith(`:oidc-provider/${HOST}`)) finding(`trusts identity provider ${p.value}, not GitHub's`);
      }
      const equals = s.Condition?.StringEquals ?? {};
      const other = Object.entries(s.Condition ?? {}).filter(
        ([op, keys]) => op !== 'StringEquals' && Object.keys(keys).some((k) => k.startsWith(HOST)),
      );
      if (equals[`${HOST}:aud`] !== 'sts.amazonaws.com') finding(`${HOST}:aud is not StringEquals sts.amazonaws.com`);
      const expected = `repo:${repository ?? '?'}:environment:${surface.env.environment}`;
      if (equals[`${HOST}:sub`] !== expected)
        finding(`${HOST}:sub is ${JSON.stringify(equals[`${HOST}:sub`])}, not StringEquals ${expected}`);
      for (const [op] of other) finding(`${op} on a GitHub token claim: only StringEquals is allowed`);
    }
  }
  return findings;
};
