import { randomBytes } from 'node:crypto';
import type { PolicyDocument } from '@airlock/cloud-assembly';

/** Who an access key belongs to: a role of the templates, or a session of one (narrowed, expiring). */
export interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly roleArn: string;
  readonly sessionPolicy?: PolicyDocument;
  readonly expiresAt?: number;
}

/**
 * Length of a session token the rehearsal's STS mints by default: 2.6 KB. Real tokens of chained sessions with a
 * session policy run to a few KB; the presigned GET carries the token once and the POST's signed policy once more,
 * and RunTask caps its overrides at 8,192 characters: every rehearsed run checks that cap with tokens this long.
 */
export const SESSION_TOKEN_LENGTH = 2600;

/** The rehearsal's credential store: every request it serves is tied back to a role through its access key. */
export class CredentialRegistry {
  private readonly byKey = new Map<string, Identity>();

  constructor(private readonly sessionTokenLength = SESSION_TOKEN_LENGTH) {}

  /** Long-lived credentials standing in for a Lambda execution role's. */
  forRole(roleArn: string): Identity {
    return this.add({ roleArn });
  }

  /** Temporary credentials of an assumed-role session. */
  session(roleArn: string, durationSeconds: number, sessionPolicy?: PolicyDocument): Identity {
    return this.add({
      roleArn,
      sessionToken: randomBytes(Math.ceil((this.sessionTokenLength * 3) / 4))
        .toString('base64')
        .slice(0, this.sessionTokenLength),
      expiresAt: Date.now() + durationSeconds * 1000,
      ...(sessionPolicy ? { sessionPolicy } : {}),
    });
  }

  get(accessKeyId: string): Identity | undefined {
    return this.byKey.get(accessKeyId);
  }

  private add(fields: Omit<Identity, 'accessKeyId' | 'secretAccessKey'>): Identity {
    const identity = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      ...fields,
    };
    this.byKey.set(identity.accessKeyId, identity);
    return identity;
  }
}

/** The access key in a SigV4 Authorization header or presigned query (`Credential=AKID/date/region/service/...`). */
export function accessKeyOf(credential: string | null | undefined): string | undefined {
  return credential ? /(?:Credential=)?([A-Z0-9]+)\//.exec(credential)?.[1] : undefined;
}
