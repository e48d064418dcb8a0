import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { RegistrationAttempt1763900100000 } from '../../cx/migrations';

export { InitialSchema1763900000000 };

/** Every migration, oldest first (run at boot with `migrationsRun: true`). hss-cx appends its own. */
export const migrations = [InitialSchema1763900000000, RegistrationAttempt1763900100000];
