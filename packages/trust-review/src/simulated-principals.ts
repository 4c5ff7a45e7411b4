/** An account outside the three: where the matrices put an attacker's principals and resources. */
export const FOREIGN_ACCOUNT = '999999999999';
