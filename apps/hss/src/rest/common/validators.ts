import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches, ValidationOptions } from 'class-validator';

/** `n` hex digits, stored lower-case. The message names the field and never the value. */
export function IsHex(n: number, options: ValidationOptions = {}): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    Matches(new RegExp(`^[0-9a-f]{${n}}$`), {
      message: ({ property }) => `${property} must be ${n} hex characters`,
      ...options,
    }) as PropertyDecorator,
  );
}

/** A SIP/SIPS URI or a tel URI (RFC 3261 §19.1, RFC 3966): the forms an IMPU takes. */
export const IMPU_PATTERN = /^(sips?:[^\s@]+@[^\s@]+|sips?:[^\s@]+|tel:\+?[0-9*#.()\-a-fA-F;=]+)$/;
/** A SIP or SIPS URI. */
export const SIP_URI_PATTERN = /^sips?:[^\s]+$/;
/** An NAI (RFC 4282) `user@realm`, the IMPI form of TS 23.003 §13.3. */
export const IMPI_PATTERN = /^[^\s@]+@[^\s@]+$/;
/** An IMSI: MCC + MNC + MSIN, 6 to 15 digits (TS 23.003 §2.2). */
export const IMSI_PATTERN = /^[0-9]{6,15}$/;
/** An MSISDN (E.164 without the +): up to 15 digits. */
export const MSISDN_PATTERN = /^[0-9]{1,15}$/;
