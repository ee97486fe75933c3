/** Roles a registry token can have: `ci` registers and promotes (gated), `admin` may do everything. */
export type Role = 'ci' | 'admin';

export const ROLES: readonly Role[] = ['ci', 'admin'];

/** Who is calling: the token's subject (the audit actor) and its role. */
export interface Caller {
  readonly subject: string;
  readonly role: Role;
}
