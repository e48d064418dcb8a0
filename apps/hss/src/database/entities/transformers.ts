import type { ValueTransformer } from 'typeorm';

/**
 * bigint columns come back as strings from PostgreSQL and as numbers from sqlite; 48-bit
 * values (SQN) fit a JS number exactly, so the entity always sees a number.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | undefined | null) => value,
  from: (value: string | number | bigint | null) => (value === null ? null : Number(value)),
};
