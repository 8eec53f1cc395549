import { z } from 'zod';
import { hasForbiddenChars } from '@hh/text';

/** A string with no NUL / control characters / lone surrogates (Postgres rejects NUL with a 500-class error). */
export const safeString = (max: number, min = 0) =>
  z
    .string()
    .min(min, min > 0 ? { message: min === 1 ? 'must not be empty' : `must have at least ${min} characters` } : undefined)
    .max(max, { message: `must have at most ${max} characters` })
    .refine((s) => !hasForbiddenChars(s), { message: 'must not contain NUL, control characters or invalid Unicode' });

export const nonBlank = (max: number) => safeString(max, 1).refine((s) => s.trim().length > 0, { message: 'must not be blank' });

export const SENIORITIES = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'] as const;
export const seniority = z.enum(SENIORITIES);
export const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code' })
  .transform((s) => s.toUpperCase());
export const language = z.enum(['en', 'pt']);
export const externalId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -' });

/**
 * Years of experience: 0, or 0.01–80. The column is a float4 (`real`), which cannot hold magnitudes
 * below ~1e-38: such a value would pass a plain min(0) check and then fail in Postgres (a 500 on
 * write, every branch erroring as a filter). Nothing below a hundredth of a year is meaningful.
 */
export const years = z
  .number({ message: 'must be a number of years' })
  .min(0, { message: 'must be between 0 and 80' })
  .max(80, { message: 'must be between 0 and 80' })
  .refine((v) => v === 0 || v >= 0.01, { message: 'must be 0 or between 0.01 and 80' });
