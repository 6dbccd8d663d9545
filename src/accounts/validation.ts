import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';

/**
 * Server-side rules for what citizens type into the registration, password reset, password
 * change, e-mail change and contact forms (SPEC REG-02..REG-04, PW-01, PW-02, CON-01).
 *
 * Every issue's `message` is a locale key (`validation.*`, texts in
 * interactions/locales/<locale>/validation.json); `fieldErrors` groups them by form field.
 * Values come from url-encoded forms, so a missing field is treated as the empty string and
 * reported with the field's `.required` code rather than as a type error.
 */

export const VALIDATION_CODES = [
  'validation.email.required',
  'validation.email.invalid',
  'validation.email.angle_brackets',
  'validation.email.too_long',
  'validation.email.mismatch',
  'validation.password.required',
  'validation.password.too_short',
  'validation.password.too_long',
  'validation.password.whitespace',
  'validation.password.angle_brackets',
  'validation.password.too_weak',
  'validation.password.common',
  'validation.password.mismatch',
  'validation.name.required',
  'validation.name.too_long',
  'validation.name.invalid',
  'validation.consent.required',
  'validation.subject.required',
  'validation.subject.too_long',
  'validation.subject.invalid',
  'validation.message.required',
  'validation.message.too_long',
  'validation.message.invalid',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 40;
export const CURRENT_PASSWORD_MAX_LENGTH = 1024;
export const DISPLAY_NAME_MAX_LENGTH = 100;
export const SUBJECT_MAX_LENGTH = 150;
export const MESSAGE_MAX_LENGTH = 5000;
/** How many of the most frequent passwords of the zxcvbn list are refused (PW-02, design). */
export const COMMON_PASSWORD_COUNT = 10_000;

const ANGLE_BRACKETS = /[<>]/;
/** Any white space: ECMAScript's \s plus Unicode White_Space (which adds U+0085). */
const WHITE_SPACE = /[\s\p{White_Space}]/u;
/** C0/C1 controls, line/paragraph separators and the bidirectional embedding/isolate controls. */
const CONTROL = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** Controls other than tab and line breaks, for multi-line text. */
const CONTROL_EXCEPT_LINE_BREAKS = /(?![\t\n\r])[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
// PW-02 criterion 1 names the character groups exactly: A–Z, Ä, Ö, Ü and a–z, ä, ö, ü, ß.
const UPPER = /[A-ZÄÖÜ]/;
const LOWER = /[a-zäöüß]/;
// Criterion 2: 0–9. Criterion 3: anything that is neither a letter (with its combining marks) nor a digit.
const DIGIT = /[0-9]/;
const SPECIAL = /[^\p{L}\p{M}\p{N}]/u;

/** Length in characters (code points), not UTF-16 units, so "ß" or "😀" count as one. */
function length(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Url-encoded forms omit empty fields; anything that is not a single string counts as missing. */
function formValue(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function formString() {
  return z.preprocess(formValue, z.string());
}

let commonPasswords: ReadonlySet<string> | undefined;

/** True if the password is among the most frequent ones (compared case-insensitively). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map((p) => p.toLowerCase()));
  return commonPasswords.has(password.normalize('NFC').toLowerCase());
}

/** How many of the three PW-02 criteria the password meets. */
export function passwordCriteria(password: string): number {
  const value = password.normalize('NFC');
  const mixedCase = UPPER.test(value) && LOWER.test(value);
  return Number(mixedCase) + Number(DIGIT.test(value)) + Number(SPECIAL.test(value));
}

/**
 * All PW-01/PW-02 codes the password fails, in a stable order; empty if it is acceptable.
 * The password itself is never altered (not trimmed, not normalised).
 */
export function passwordProblems(password: string): ValidationCode[] {
  if (password === '') return ['validation.password.required'];
  const problems: ValidationCode[] = [];
  const chars = length(password.normalize('NFC'));
  if (chars < PASSWORD_MIN_LENGTH) problems.push('validation.password.too_short');
  if (chars > PASSWORD_MAX_LENGTH) problems.push('validation.password.too_long');
  if (WHITE_SPACE.test(password)) problems.push('validation.password.whitespace');
  if (ANGLE_BRACKETS.test(password)) problems.push('validation.password.angle_brackets');
  if (passwordCriteria(password) < 2) problems.push('validation.password.too_weak');
  if (isCommonPassword(password)) problems.push('validation.password.common');
  return problems;
}

/** REG-03/REG-04: the address as typed (trimmed, case kept); compare lower-cased elsewhere. */
export const emailSchema = formString().pipe(
  z
    .string()
    .trim()
    .min(1, { error: 'validation.email.required', abort: true })
    .refine((value) => !ANGLE_BRACKETS.test(value), { error: 'validation.email.angle_brackets' })
    .max(EMAIL_MAX_LENGTH, { error: 'validation.email.too_long' })
    .pipe(z.email({ error: 'validation.email.invalid' })),
);

/** PW-01, PW-02 and the common-password list; reports every failing rule. */
export const passwordSchema = formString().superRefine((password, ctx) => {
  for (const code of passwordProblems(password)) ctx.addIssue({ code: 'custom', message: code });
});

/** The citizen's name: trimmed, 1–100 characters, no "<" ">", no control characters. */
export const displayNameSchema = formString().pipe(
  z
    .string()
    .trim()
    .min(1, { error: 'validation.name.required', abort: true })
    .refine((value) => length(value) <= DISPLAY_NAME_MAX_LENGTH, { error: 'validation.name.too_long' })
    .refine((value) => !ANGLE_BRACKETS.test(value) && !CONTROL.test(value), { error: 'validation.name.invalid' }),
);

/** The current password when changing it: only required; checked against the stored hash elsewhere. */
export const currentPasswordSchema = formString().pipe(
  z
    .string()
    .min(1, { error: 'validation.password.required', abort: true })
    .max(CURRENT_PASSWORD_MAX_LENGTH, { error: 'validation.password.too_long' }),
);

const subjectSchema = formString().pipe(
  z
    .string()
    .trim()
    .min(1, { error: 'validation.subject.required', abort: true })
    .refine((value) => length(value) <= SUBJECT_MAX_LENGTH, { error: 'validation.subject.too_long' })
    .refine((value) => !CONTROL.test(value), { error: 'validation.subject.invalid' }),
);

const messageSchema = formString().pipe(
  z
    .string()
    .trim()
    .min(1, { error: 'validation.message.required', abort: true })
    .refine((value) => length(value) <= MESSAGE_MAX_LENGTH, { error: 'validation.message.too_long' })
    .refine((value) => !CONTROL_EXCEPT_LINE_BREAKS.test(value), { error: 'validation.message.invalid' }),
);

/** A checkbox: browsers send "on" (or the input's value) when ticked and nothing otherwise. */
const consentSchema = z.preprocess(formValue, z.string()).refine((value) => ['on', 'yes', 'true', '1'].includes(value), {
  error: 'validation.consent.required',
});

/** Checks of the whole form run even when single fields already failed, so a mismatch is always reported. */
const always = { when: () => true } as const;

/** The new password typed twice must match; reported at the repetition. */
const passwordsMatch = (form: { password: string; passwordRepeat: string }) => form.password === form.passwordRepeat;
const PASSWORD_MISMATCH = { error: 'validation.password.mismatch', path: ['passwordRepeat'], ...always };

export const RegistrationForm = z
  .object({
    displayName: displayNameSchema,
    email: emailSchema,
    password: passwordSchema,
    passwordRepeat: formString(),
  })
  .refine(passwordsMatch, PASSWORD_MISMATCH);
export type RegistrationForm = z.infer<typeof RegistrationForm>;

/** REG-06: the consent on the overview page ("Einwilligung zur Datenverarbeitung"). */
export const ConsentForm = z.object({ consent: consentSchema });
export type ConsentForm = z.infer<typeof ConsentForm>;

export const PasswordResetForm = z
  .object({
    password: passwordSchema,
    passwordRepeat: formString(),
  })
  .refine(passwordsMatch, PASSWORD_MISMATCH);
export type PasswordResetForm = z.infer<typeof PasswordResetForm>;

export const PasswordChangeForm = z
  .object({
    currentPassword: currentPasswordSchema,
    password: passwordSchema,
    passwordRepeat: formString(),
  })
  .refine(passwordsMatch, PASSWORD_MISMATCH);
export type PasswordChangeForm = z.infer<typeof PasswordChangeForm>;

/** MAIL-01: the new address twice; the repetition is compared case-insensitively. */
export const EmailChangeForm = z
  .object({
    newEmail: emailSchema,
    newEmailRepeat: formString().pipe(z.string().trim()),
  })
  .refine((form) => formValue(form.newEmail).trim().toLowerCase() === formValue(form.newEmailRepeat).trim().toLowerCase(), {
    error: 'validation.email.mismatch',
    path: ['newEmailRepeat'],
    ...always,
  });
export type EmailChangeForm = z.infer<typeof EmailChangeForm>;

/** CON-01: the contact form that e-mails the customer service. */
export const ContactForm = z.object({
  name: displayNameSchema,
  email: emailSchema,
  subject: subjectSchema,
  message: messageSchema,
});
export type ContactForm = z.infer<typeof ContactForm>;

/** Field name (first path segment; '' for the form as a whole) → its codes, each once, in order. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const head = issue.path[0];
    const field = head === undefined ? '' : String(head);
    const codes = (result[field] ??= []);
    if (!codes.includes(issue.message)) codes.push(issue.message);
  }
  return result;
}
